import RedisClient
/// One job as read from a stage stream: the outbox row's fields (``OutboxPublisher/fields(of:)``) plus where and how
/// often it was delivered.
public struct QueuedJob: Sendable, Hashable {
    public var entryID: String
    public var outboxID: Int64
    public var shard: Int
    public var topic: OutboxTopic
    public var payload: String
    /// This delivery included: 1 the first time.
    public var deliveryCount: Int

    public init(entryID: String, outboxID: Int64, shard: Int, topic: OutboxTopic, payload: String, deliveryCount: Int) {
        self.entryID = entryID
        self.outboxID = outboxID
        self.shard = shard
        self.topic = topic
        self.payload = payload
        self.deliveryCount = deliveryCount
    }

    /// Reads the outbox fields; `.invalidArgument` names the first one missing or malformed.
    public init(entry: RedisStreamEntry, deliveryCount: Int) throws(StorageError) {
        guard let outbox = entry.string("outbox_id"), let outboxID = Int64(outbox) else {
            throw StorageError(.invalidArgument, "stream entry \(entry.id) has no numeric outbox_id")
        }
        guard let shardText = entry.string("shard"), let shard = Int(shardText) else {
            throw StorageError(.invalidArgument, "stream entry \(entry.id) has no numeric shard")
        }
        guard let topic = entry.string("topic"), !topic.isEmpty else {
            throw StorageError(.invalidArgument, "stream entry \(entry.id) has no topic")
        }
        guard let payload = entry.string("payload") else {
            throw StorageError(.invalidArgument, "stream entry \(entry.id) has no payload")
        }
        self.init(entryID: entry.id, outboxID: outboxID, shard: shard, topic: OutboxTopic(rawValue: topic), payload: payload, deliveryCount: deliveryCount)
    }

    /// The fields a (re)published copy of this job carries.
    public var fields: [(String, [UInt8])] {
        Self.fields(outboxID: outboxID, shard: shard, topic: topic, payload: payload)
    }

    public static func fields(outboxID: Int64, shard: Int, topic: OutboxTopic, payload: String) -> [(String, [UInt8])] {
        [
            ("outbox_id", Array(String(outboxID).utf8)),
            ("shard", Array(String(shard).utf8)),
            ("topic", Array(topic.rawValue.utf8)),
            ("payload", Array(payload.utf8)),
        ]
    }
}
