import Foundation

/// An async job to be written in the same transaction as the change it announces.
public struct OutboxMessage: Sendable, Hashable {
    public var topic: OutboxTopic
    /// JSON object text; workers decode it by topic.
    public var payload: String

    public init(topic: OutboxTopic, payload: String) {
        self.topic = topic
        self.payload = payload
    }

    /// Encodes `payload` as JSON with sorted keys, so equal payloads are equal text.
    public init<Payload: Encodable>(topic: OutboxTopic, encoding payload: Payload) throws(StorageError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            let data = try encoder.encode(payload)
            self.init(topic: topic, payload: String(decoding: data, as: UTF8.self))
        } catch {
            throw StorageError(.invalidArgument, "outbox payload for \(topic) did not encode", underlying: error)
        }
    }
}

/// A written outbox row. `id` is unique across servers (each server's sequence has its own 2^50 block) and is the
/// idempotency key of every effect of the job.
public struct OutboxRow: Sendable, Hashable {
    public var id: Int64
    public var shard: Int
    public var topic: OutboxTopic
    public var payload: String
    public var createdAt: Date

    public init(id: Int64, shard: Int, topic: OutboxTopic, payload: String, createdAt: Date) {
        self.id = id
        self.shard = shard
        self.topic = topic
        self.payload = payload
        self.createdAt = createdAt
    }
}
