import Foundation
import Logging
import Storage

/// One delivery of an async job, as read from its stage's stream: the outbox id (the idempotency key of every effect,
/// unique across servers), the shard whose transaction wrote it, the topic, the JSON payload, the stream entry id and
/// how many times it has been delivered (1 the first time).
public typealias Job = QueuedJob

extension QueuedJob {
    public init(outboxID: Int64, shard: Int, topic: OutboxTopic, payload: String, streamEntryID: String, deliveryCount: Int) {
        self.init(entryID: streamEntryID, outboxID: outboxID, shard: shard, topic: topic, payload: payload, deliveryCount: deliveryCount)
    }

    /// A first delivery of a committed outbox row, for running a handler in-process (benchmarks, tests).
    public init(_ row: OutboxRow, streamEntryID: String = "0-1") {
        self.init(entryID: streamEntryID, outboxID: row.id, shard: row.shard, topic: row.topic, payload: row.payload, deliveryCount: 1)
    }

    /// The stream entry id (for XACK).
    public var streamEntryID: String { entryID }

    /// The payload as the topic's type (Storage/Outbox/JobPayloads.swift); `invalid_job` when it is not one.
    public func decode<Payload: Decodable>(_ type: Payload.Type) throws(PipelineError) -> Payload {
        do {
            return try JSONDecoder().decode(Payload.self, from: Data(payload.utf8))
        } catch {
            throw PipelineError(.invalidJob, "\(topic) job \(outboxID) has a payload that is not a \(Payload.self)", underlying: error)
        }
    }
}

/// What a handler may do besides its own effects.
public struct JobContext: Sendable {
    public var logger: Logger
    /// Appends a follow-up job to `topic`'s stream (e.g. the next fan-out chunk), carrying `outboxID` as its
    /// idempotency key. Use a payload that tells the follow-up apart (a cursor); effects must stay idempotent.
    public var enqueue: @Sendable (_ topic: OutboxTopic, _ payload: String, _ outboxID: Int64, _ shard: Int) async throws -> Void

    public init(
        logger: Logger,
        enqueue: @escaping @Sendable (_ topic: OutboxTopic, _ payload: String, _ outboxID: Int64, _ shard: Int) async throws -> Void
    ) {
        self.logger = logger
        self.enqueue = enqueue
    }
}

/// The work of one async stage. Delivery is at least once: `handle` may run more than once for the same job
/// (a worker died before XACK, a retry after a failure) and must be idempotent, keyed by `job.outboxID`.
///
/// Returning acknowledges the job. Throwing schedules a retry with exponential backoff; after the stage's maximum
/// deliveries the job moves to the dead-letter stream. Throw `PipelineError(.invalidJob)` for a job that can never
/// succeed (it goes to the dead-letter stream at once).
public protocol JobHandler: Sendable {
    var topic: OutboxTopic { get }
    func handle(_ job: Job, context: JobContext) async throws
}
