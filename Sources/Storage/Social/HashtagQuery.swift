import Logging
import PostgresNIO

/// Media by hashtag, across every logical shard: one query per shard in parallel, merged by id (= time).
public struct HashtagQuery: Sendable {
    public let postgres: ShardedPostgres

    public init(postgres: ShardedPostgres) {
        self.postgres = postgres
    }

    /// Live media tagged `tag` (lower-cased, without `#`), ids below `before`, newest first.
    public func mediaIDs(tag: String, before: ShardedID?, limit: Int, logger: Logger) async throws -> [ShardedID] {
        let cursor = before?.rawValue ?? Int64.max
        let found = try await withThrowingTaskGroup(of: [ShardedID].self) { group in
            for shard in postgres.shardMap.allShards {
                group.addTask {
                    let rows = try await postgres.query(shard: shard, logger: logger) { schema in
                        """
                        SELECT h.media_id FROM \(schema).media_hashtags h JOIN \(schema).media m ON m.id = h.media_id
                        WHERE h.tag = \(tag) AND h.media_id < \(cursor) AND m.deleted_at IS NULL
                        ORDER BY h.media_id DESC LIMIT \(limit)
                        """
                    }
                    return try rows.map { try $0.decode(ShardedID.self) }
                }
            }
            var all: [ShardedID] = []
            for try await ids in group { all += ids }
            return all
        }
        return Array(found.sorted(by: >).prefix(limit))
    }
}
