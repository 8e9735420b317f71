import Logging
import PostgresNIO

/// What PostgreSQL knows about feeds: the recent media ids of a set of authors, one query per physical server, in parallel.
public struct FeedSource: Sendable {
    public let postgres: ShardedPostgres

    public init(postgres: ShardedPostgres) {
        self.postgres = postgres
    }

    /// Media of `owners` with ids below `before` (and at or above `since`), newest first, at most `limit`.
    /// `includeDeleted` serves removals (an unfollow takes out whatever the feed may hold).
    public func recentMediaIDs(
        owners: [ShardedID], before: ShardedID? = nil, since: ShardedID? = nil, limit: Int, includeDeleted: Bool = false,
        logger: Logger
    ) async throws -> [ShardedID] {
        let upper = before?.rawValue ?? Int64.max
        let lower = since?.rawValue ?? Int64.min
        let live = includeDeleted ? "" : "AND deleted_at IS NULL"
        let values = owners.map(\.rawValue)
        let rows = try await postgres.queryAcrossShards(owners.map(\.shard), logger: logger) { schema in
            """
            SELECT id FROM \(schema).media WHERE owner_id = ANY(\(values)) AND id < \(upper) AND id >= \(lower) \(unescaped: live)
            ORDER BY id DESC LIMIT \(limit)
            """
        }.rows
        let found = try rows.map { try $0.decode(ShardedID.self) }
        return Array(found.sorted(by: >).prefix(limit))
    }
}
