import Foundation
import Logging
import PostgresNIO

/// Likes, on the media's shard. The count is exact under concurrency: the like row is inserted with
/// `ON CONFLICT DO NOTHING` (or deleted with `RETURNING`) and `like_count` moves in the same transaction only when a
/// row really changed; the UPDATE's row lock serialises concurrent increments.
public struct LikeRepository: Sendable {
    public let postgres: ShardedPostgres

    public init(postgres: ShardedPostgres) {
        self.postgres = postgres
    }

    public enum Outcome: Sendable, Equatable {
        /// The media is unknown or deleted.
        case notFound
        /// `changed` false when the like was already in that state. `likeCount` is the count after the change.
        case done(changed: Bool, likeCount: Int64, outbox: [OutboxRow])
    }

    public func setLiked(_ liked: Bool, media mediaID: ShardedID, user: ShardedID, logger: Logger) async throws -> Outcome {
        guard postgres.shardMap.allShards.contains(mediaID.shard) else { return .notFound }
        return try await postgres.withTransaction(shard: mediaID.shard, logger: logger) { connection, schema in
            let media = try await connection.query(
                "SELECT owner_id, like_count FROM \(schema).media WHERE id = \(mediaID) AND deleted_at IS NULL",
                logger: logger
            ).collect()
            guard let (owner, currentCount) = try media.first?.decode((ShardedID, Int64).self) else { return .notFound }
            let changed: [PostgresRow]
            if liked {
                changed = try await connection.query(
                    "INSERT INTO \(schema).likes (media_id, user_id) VALUES (\(mediaID), \(user)) ON CONFLICT DO NOTHING RETURNING 1",
                    logger: logger
                ).collect()
            } else {
                changed = try await connection.query(
                    "DELETE FROM \(schema).likes WHERE media_id = \(mediaID) AND user_id = \(user) RETURNING 1",
                    logger: logger
                ).collect()
            }
            guard !changed.isEmpty else { return .done(changed: false, likeCount: currentCount, outbox: []) }
            let delta: Int64 = liked ? 1 : -1
            let updated = try await connection.query(
                "UPDATE \(schema).media SET like_count = greatest(like_count + \(delta), 0) WHERE id = \(mediaID) AND deleted_at IS NULL RETURNING like_count",
                logger: logger
            ).collect()
            // Deleted between the SELECT and here: throwing rolls the like back.
            guard let count = try updated.first?.decode(Int64.self) else {
                throw StorageError(.notFound, "media \(mediaID) was deleted concurrently")
            }
            var outbox: [OutboxRow] = []
            if liked && owner != user {
                let activity = try OutboxMessage(topic: .activity, encoding: ActivityJob(recipientID: owner, actorID: user, kind: "like", mediaID: mediaID))
                outbox = try await Outbox.insert([activity], shard: mediaID.shard, on: connection, logger: logger)
            }
            return .done(changed: true, likeCount: count, outbox: outbox)
        }
    }

    /// Users who like the media, highest user id first, ids below `before`; nil when the media is unknown or deleted.
    public func likers(of mediaID: ShardedID, before: ShardedID?, limit: Int, logger: Logger) async throws -> [ShardedID]? {
        guard postgres.shardMap.allShards.contains(mediaID.shard) else { return nil }
        let cursor = before?.rawValue ?? Int64.max
        return try await postgres.withConnection(shard: mediaID.shard, logger: logger) { connection, schema in
            guard try await MediaRepository.isLive(mediaID, on: connection, schema: schema, logger: logger) else { return nil }
            let rows = try await connection.query(
                """
                SELECT user_id FROM \(schema).likes WHERE media_id = \(mediaID) AND user_id < \(cursor)
                ORDER BY user_id DESC LIMIT \(limit)
                """,
                logger: logger
            ).collect()
            return try rows.map { try $0.decode(ShardedID.self) }
        }
    }
}
