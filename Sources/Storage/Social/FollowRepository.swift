import Foundation
import Logging
import PostgresNIO

/// The follow graph, stored twice: `following` on the follower's shard and `followers` on the target's shard.
///
/// Consistency across the two shards (no distributed transaction):
/// 1. The follower's side is the source of truth. One transaction on the follower's shard writes (or deletes) the
///    `following` row, adjusts `following_count` only when a row really changed, and writes the `follow` outbox row
///    (plus an `activity` row on follow).
/// 2. Then the target's side is applied idempotently on the target's shard (`followers` row, `follower_count`, again
///    only when a row really changed).
/// 3. If step 2 fails (the target's server is down, the process dies), the `follow` job repairs it:
///    ``reconcileTargetSide(follower:target:logger:)`` reads the truth from step 1 and makes step 2 match it. It is
///    order-independent, so a follow and an unfollow whose jobs run out of order still converge.
/// Counts never drift on repeated follow/unfollow: each count moves in the same transaction as the row insert or
/// delete that actually happened (`ON CONFLICT DO NOTHING` / `DELETE ... RETURNING`).
public struct FollowRepository: Sendable {
    public let postgres: ShardedPostgres

    public init(postgres: ShardedPostgres) {
        self.postgres = postgres
    }

    /// Step 1 of a follow (`following` true) or unfollow: the follower's shard. `changed` is false when the edge was
    /// already in that state (nothing written, no outbox row).
    public func writeFollowerSide(
        follower: ShardedID, target: ShardedID, following: Bool, logger: Logger
    ) async throws -> (changed: Bool, outbox: [OutboxRow]) {
        let shard = follower.shard
        let followJob = try OutboxMessage(topic: .follow, encoding: FollowChangedJob(followerID: follower, targetID: target, following: following))
        let activityJob = try OutboxMessage(topic: .activity, encoding: ActivityJob(recipientID: target, actorID: follower, kind: "follow"))
        return try await postgres.withTransaction(shard: shard, logger: logger) { connection, schema in
            let changedRows: [PostgresRow]
            if following {
                changedRows = try await connection.query(
                    "INSERT INTO \(schema).following (user_id, target_id) VALUES (\(follower), \(target)) ON CONFLICT DO NOTHING RETURNING 1",
                    logger: logger
                ).collect()
            } else {
                changedRows = try await connection.query(
                    "DELETE FROM \(schema).following WHERE user_id = \(follower) AND target_id = \(target) RETURNING 1",
                    logger: logger
                ).collect()
            }
            guard !changedRows.isEmpty else { return (false, []) }
            let delta: Int64 = following ? 1 : -1
            try await connection.query(
                "UPDATE \(schema).users SET following_count = greatest(following_count + \(delta), 0) WHERE id = \(follower)",
                logger: logger
            ).collect()
            let outbox = try await Outbox.insert(following ? [followJob, activityJob] : [followJob], shard: shard, on: connection, logger: logger)
            return (true, outbox)
        }
    }

    /// Step 2: makes the target's `followers` row match `following`. Idempotent; true when it changed something.
    @discardableResult
    public func applyTargetSide(follower: ShardedID, target: ShardedID, following: Bool, logger: Logger) async throws -> Bool {
        try await postgres.withTransaction(shard: target.shard, logger: logger) { connection, schema in
            let changedRows: [PostgresRow]
            if following {
                changedRows = try await connection.query(
                    "INSERT INTO \(schema).followers (user_id, follower_id) VALUES (\(target), \(follower)) ON CONFLICT DO NOTHING RETURNING 1",
                    logger: logger
                ).collect()
            } else {
                changedRows = try await connection.query(
                    "DELETE FROM \(schema).followers WHERE user_id = \(target) AND follower_id = \(follower) RETURNING 1",
                    logger: logger
                ).collect()
            }
            guard !changedRows.isEmpty else { return false }
            let delta: Int64 = following ? 1 : -1
            try await connection.query(
                "UPDATE \(schema).users SET follower_count = greatest(follower_count + \(delta), 0) WHERE id = \(target)",
                logger: logger
            ).collect()
            return true
        }
    }

    /// The repair the `follow` job runs: reads the truth (the follower's side) and applies it to the target's side.
    /// Returns the truth.
    @discardableResult
    public func reconcileTargetSide(follower: ShardedID, target: ShardedID, logger: Logger) async throws -> Bool {
        let truth = try await isFollowing(follower: follower, target: target, logger: logger)
        try await applyTargetSide(follower: follower, target: target, following: truth, logger: logger)
        return truth
    }

    public func isFollowing(follower: ShardedID, target: ShardedID, logger: Logger) async throws -> Bool {
        let rows = try await postgres.query(shard: follower.shard, logger: logger) { schema in
            "SELECT 1 FROM \(schema).following WHERE user_id = \(follower) AND target_id = \(target)"
        }
        return !rows.isEmpty
    }

    /// A page of `user`'s followers, highest (newest account) id first, ids below `before`.
    public func followers(of user: ShardedID, before: ShardedID?, limit: Int, logger: Logger) async throws -> [ShardedID] {
        guard postgres.shardMap.allShards.contains(user.shard) else { return [] }
        let cursor = before?.rawValue ?? Int64.max
        let rows = try await postgres.query(shard: user.shard, logger: logger) { schema in
            """
            SELECT follower_id FROM \(schema).followers WHERE user_id = \(user) AND follower_id < \(cursor)
            ORDER BY follower_id DESC LIMIT \(limit)
            """
        }
        return try rows.map { try $0.decode(ShardedID.self) }
    }

    /// A page of the users `user` follows, highest id first, ids below `before`.
    public func following(of user: ShardedID, before: ShardedID?, limit: Int, logger: Logger) async throws -> [ShardedID] {
        guard postgres.shardMap.allShards.contains(user.shard) else { return [] }
        let cursor = before?.rawValue ?? Int64.max
        let rows = try await postgres.query(shard: user.shard, logger: logger) { schema in
            """
            SELECT target_id FROM \(schema).following WHERE user_id = \(user) AND target_id < \(cursor)
            ORDER BY target_id DESC LIMIT \(limit)
            """
        }
        return try rows.map { try $0.decode(ShardedID.self) }
    }

    /// One fan-out chunk: followers with ids above `after`, ascending (the primary key's order, so each chunk is an
    /// index range scan).
    public func followerChunk(of user: ShardedID, after: ShardedID?, limit: Int, logger: Logger) async throws -> [ShardedID] {
        let cursor = after?.rawValue ?? Int64.min
        let rows = try await postgres.query(shard: user.shard, logger: logger) { schema in
            """
            SELECT follower_id FROM \(schema).followers WHERE user_id = \(user) AND follower_id > \(cursor)
            ORDER BY follower_id LIMIT \(limit)
            """
        }
        return try rows.map { try $0.decode(ShardedID.self) }
    }

    /// Every user `user` follows (the feed's read path and rebuild use it), up to `limit`.
    public func allFollowing(of user: ShardedID, limit: Int = 10_000, logger: Logger) async throws -> [ShardedID] {
        try await following(of: user, before: nil, limit: limit, logger: logger)
    }

    public func followerCount(of user: ShardedID, logger: Logger) async throws -> Int64? {
        let rows = try await postgres.query(shard: user.shard, logger: logger) { schema in
            "SELECT follower_count FROM \(schema).users WHERE id = \(user)"
        }
        return try rows.first?.decode(Int64.self)
    }

    /// Which of `users` have more than `threshold` followers (one query per server holding them).
    public func usersAbove(followerThreshold threshold: Int64, among users: [ShardedID], logger: Logger) async throws -> [ShardedID] {
        let values = users.map(\.rawValue)
        let rows = try await postgres.queryAcrossShards(users.map(\.shard), logger: logger) { schema in
            "SELECT id FROM \(schema).users WHERE id = ANY(\(values)) AND follower_count > \(threshold)"
        }.rows
        return try rows.map { try $0.decode(ShardedID.self) }
    }
}
