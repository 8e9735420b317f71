import Logging
import RedisClient

/// Publishes committed outbox rows to their stage streams, then marks them sent.
///
/// At-least-once: a row is marked only after its XADD succeeded, so a failure in between publishes it twice (the
/// relay sends it again) and never loses it. Workers dedupe by `outbox_id`.
public struct OutboxPublisher: Sendable {
    public let postgres: ShardedPostgres
    public let redis: RedisClient

    public init(postgres: ShardedPostgres, redis: RedisClient) {
        self.postgres = postgres
        self.redis = redis
    }

    /// The stream entry's fields for a row; `QueuedJob(entry:deliveryCount:)` reads them back.
    public static func fields(of row: OutboxRow) -> [(String, [UInt8])] {
        QueuedJob.fields(outboxID: row.id, shard: row.shard, topic: row.topic, payload: row.payload)
    }

    /// XADDs every row (one pipeline), then marks them published on their shards' servers. Throws if Redis or the
    /// UPDATE fails; the rows then stay for the relay.
    public func publish(_ rows: [OutboxRow], logger: Logger) async throws {
        guard !rows.isEmpty else { return }
        let commands = rows.map { RedisCommand.xadd($0.topic.streamKey, fields: Self.fields(of: $0), id: "*", trimMinID: nil, approximateTrim: true) }
        let replies = try await redis.pipeline(commands)
        for reply in replies { _ = try reply.throwingError().requiredString() }
        var byServer: [Int: [Int64]] = [:]
        for row in rows {
            byServer[try postgres.server(forShard: row.shard), default: []].append(row.id)
        }
        for (server, ids) in byServer {
            try await Outbox.markPublished(ids, server: server, postgres: postgres, logger: logger)
        }
    }
}
