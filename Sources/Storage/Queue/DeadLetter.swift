import Foundation
import RedisClient

/// An entry of a dead-letter stream: the job's own fields, copied unchanged so a retry republishes exactly what
/// failed, plus why and when it was given up.
public struct DeadLetter: Sendable, Hashable {
    /// Stable reasons (the `dlq_reason` field starts with one of these, then `: detail`).
    public enum Reason {
        /// Delivered `maxDeliveries` times without success.
        public static let exhausted = "exhausted"
        /// The handler said the job can never succeed (`PipelineError(.invalidJob)`).
        public static let invalidJob = "invalid_job"
        /// The stream entry lacks the outbox fields.
        public static let malformedEntry = "malformed_entry"
    }

    static let reasonField = "dlq_reason"
    static let originalIDField = "dlq_original_id"
    static let deliveriesField = "dlq_deliveries"
    static let failedAtField = "dlq_failed_at_ms"
    static let ownFields: Set<String> = [reasonField, originalIDField, deliveriesField, failedAtField]

    /// The dead-letter entry's own id (what `retry`/`drop` take); empty before it is written.
    public var id: String
    /// The id the job had in the stage stream.
    public var originalID: String
    public var reason: String
    public var deliveryCount: Int
    public var failedAt: Date
    /// The job's fields as they were in the stage stream.
    public var jobFields: [RedisStreamEntry.Field]

    public init(id: String = "", originalID: String, reason: String, deliveryCount: Int, failedAt: Date, jobFields: [RedisStreamEntry.Field]) {
        self.id = id
        self.originalID = originalID
        self.reason = reason
        self.deliveryCount = deliveryCount
        self.failedAt = failedAt
        self.jobFields = jobFields
    }

    /// Reason text: newlines flattened and length bounded, so one huge error message cannot bloat the stream.
    public static func reason(_ kind: String, detail: String) -> String {
        let flat = detail.replacingOccurrences(of: "\n", with: " ")
        return "\(kind): \(flat.prefix(500))"
    }

    /// The dead-letter stream entry's fields.
    public var fields: [(String, [UInt8])] {
        jobFields.filter { !Self.ownFields.contains($0.name) }.map { ($0.name, $0.value) } + [
            (Self.reasonField, Array(reason.utf8)),
            (Self.originalIDField, Array(originalID.utf8)),
            (Self.deliveriesField, Array(String(deliveryCount).utf8)),
            (Self.failedAtField, Array(String(Int64(failedAt.timeIntervalSince1970 * 1000)).utf8)),
        ]
    }

    /// Reads a dead-letter stream entry back.
    public init(entry: RedisStreamEntry) throws(StorageError) {
        guard let originalID = entry.string(Self.originalIDField), let reason = entry.string(Self.reasonField),
            let deliveries = entry.string(Self.deliveriesField).flatMap({ Int($0) })
        else {
            throw StorageError(.invalidArgument, "dead-letter entry \(entry.id) lacks dlq_original_id, dlq_reason or dlq_deliveries")
        }
        let failedAtMs = entry.string(Self.failedAtField).flatMap { Int64($0) } ?? 0
        self.init(
            id: entry.id,
            originalID: originalID,
            reason: reason,
            deliveryCount: deliveries,
            failedAt: Date(timeIntervalSince1970: Double(failedAtMs) / 1000),
            jobFields: entry.fields.filter { !Self.ownFields.contains($0.name) }
        )
    }

    /// The job's outbox id, when the fields carry one.
    public var outboxID: Int64? {
        jobFields.first { $0.name == "outbox_id" }.flatMap { Int64(String(decoding: $0.value, as: UTF8.self)) }
    }
}
