import Foundation
import Logging
import PostgresNIO
import Storage
import Testing
import RedisClient

/// Outbox fixtures on throw-away databases, so a relay sees only the test's rows.
enum OutboxFixture {
    static let logger = Logger(label: "test.outbox")

    /// A migrated scratch database pair, running.
    static func withDatabase<T: Sendable>(_ body: @escaping (ShardedPostgres) async throws -> T) async throws -> T {
        try await PostgresFixture.withScratchDatabases { urls throws in
            let db = ShardedPostgres(configuration: try ShardedPostgresConfiguration(urls: urls, shardCount: 8), logger: logger)
            return try await PostgresFixture.withRunning(db) { db throws in
                _ = try await Migrator().migrate(db, logger: logger)
                return try await body(db)
            }
        }
    }

    /// Inserts `count` rows for `topic` on `server`, created `age` ago, published `publishedAgo` ago (nil: unpublished).
    @discardableResult
    static func insert(
        _ count: Int, topic: OutboxTopic, server: Int, db: ShardedPostgres, age: Duration = .seconds(60), publishedAgo: Duration? = nil
    ) async throws -> [Int64] {
        let shard = db.shardMap.allShards.first { (try? db.server(forShard: $0)) == server } ?? 0
        let ageSeconds = Double(age.components.seconds)
        let publishedSeconds = publishedAgo.map { Double($0.components.seconds) }
        let rows = try await db.query(
            """
            INSERT INTO public.outbox (shard, topic, payload, created_at, published_at)
            SELECT \(shard), \(topic.rawValue), jsonb_build_object('n', n), now() - make_interval(secs => \(ageSeconds)),
                   CASE WHEN \(publishedSeconds)::float8 IS NULL THEN NULL ELSE now() - make_interval(secs => \(publishedSeconds)::float8) END
            FROM generate_series(1, \(count)) AS n
            RETURNING id
            """,
            server: server, timeout: .seconds(30)
        )
        return try rows.map { try $0.decode(Int64.self) }.sorted()
    }

    static func unpublishedIDs(topic: OutboxTopic, server: Int, db: ShardedPostgres) async throws -> [Int64] {
        try await db.query(
            "SELECT id FROM public.outbox WHERE topic = \(topic.rawValue) AND published_at IS NULL ORDER BY id", server: server
        ).map { try $0.decode(Int64.self) }
    }

    /// The outbox ids in a stream, in stream order.
    static func streamOutboxIDs(_ key: String, redis: RedisClient) async throws -> [Int64] {
        var ids: [Int64] = []
        var start = "-"
        while true {
            let page = try await redis.xrange(key, start: start, count: 1000)
            ids += page.compactMap { $0.string("outbox_id").flatMap { Int64($0) } }
            guard let last = page.last, page.count == 1000 else { return ids }
            start = "(" + last.id
        }
    }
}
