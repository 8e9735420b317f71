import Foundation
import Logging
import PostgresNIO

/// The transactional outbox (table `public.outbox` on every server).
///
/// A change and the jobs it causes commit together: call ``insert(_:shard:on:logger:)`` inside the change's
/// transaction. After the commit the rows are published (``OutboxPublisher``); rows left unpublished (Redis down, a
/// crash between commit and publish) are picked up by the relay.
public enum Outbox {
    /// Writes the rows on `connection` (which must be in the caller's transaction) and returns them with their ids.
    public static func insert(
        _ messages: [OutboxMessage], shard: Int, on connection: PostgresConnection, logger: Logger
    ) async throws -> [OutboxRow] {
        guard !messages.isEmpty else { return [] }
        var rows: [OutboxRow] = []
        rows.reserveCapacity(messages.count)
        // One statement for all rows: unnest keeps it a single round trip whatever the count.
        let topics = messages.map(\.topic.rawValue)
        let payloads = messages.map(\.payload)
        let result = try await connection.query(
            """
            INSERT INTO public.outbox (shard, topic, payload)
            SELECT \(shard), t.topic, t.payload::jsonb FROM unnest(\(topics)::text[], \(payloads)::text[]) WITH ORDINALITY AS t(topic, payload, n)
            ORDER BY t.n
            RETURNING id, topic, payload::text, created_at
            """,
            logger: logger
        ).collect()
        for row in result {
            let (id, topic, payload, createdAt) = try row.decode((Int64, String, String, Date).self)
            rows.append(OutboxRow(id: id, shard: shard, topic: OutboxTopic(rawValue: topic), payload: payload, createdAt: createdAt))
        }
        // RETURNING order follows insertion order in practice but is not promised: sort by id (the sequence order).
        return rows.sorted { $0.id < $1.id }
    }

    /// Marks rows published on the server that holds them.
    public static func markPublished(_ ids: [Int64], server: Int, postgres: ShardedPostgres, logger: Logger) async throws {
        guard !ids.isEmpty else { return }
        _ = try await postgres.query(
            "UPDATE public.outbox SET published_at = now(), attempts = attempts + 1 WHERE id = ANY(\(ids)) AND published_at IS NULL",
            server: server, logger: logger
        )
    }
}
