import Logging
import PostgresNIO

/// Media by hashtag, across every logical shard: one query per physical server, merged by id (= time).
public struct HashtagQuery: Sendable {
    public let postgres: ShardedPostgres

    public init(postgres: ShardedPostgres) {
        self.postgres = postgres
    }

    /// One page of a tag. `isPartial` when a server was down: its shards' media are missing from `ids`.
    public struct Page: Sendable {
        public var ids: [ShardedID]
        public var isPartial: Bool
    }

    /// Live media tagged `tag` (lower-cased, without `#`), ids below `before`, newest first. A server that is down
    /// leaves its shards out (``Page/isPartial``) rather than failing the page for everyone.
    public func mediaIDs(tag: String, before: ShardedID?, limit: Int, logger: Logger) async throws -> Page {
        let cursor = before?.rawValue ?? Int64.max
        let found = try await postgres.queryAcrossShards(postgres.shardMap.allShards, allowPartial: true, logger: logger) { schema in
            """
            SELECT h.media_id FROM \(schema).media_hashtags h JOIN \(schema).media m ON m.id = h.media_id
            WHERE h.tag = \(tag) AND h.media_id < \(cursor) AND m.deleted_at IS NULL
            ORDER BY h.media_id DESC LIMIT \(limit)
            """
        }
        let ids = try found.rows.map { try $0.decode(ShardedID.self) }
        return Page(ids: Array(ids.sorted(by: >).prefix(limit)), isPartial: found.isPartial)
    }
}
