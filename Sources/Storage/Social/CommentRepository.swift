import Foundation
import Logging
import PostgresNIO

/// Comments, on the media's shard; `comment_count` moves in the same transaction as the row.
public struct CommentRepository: Sendable {
    public let postgres: ShardedPostgres

    public init(postgres: ShardedPostgres) {
        self.postgres = postgres
    }

    public enum AddOutcome: Sendable {
        case notFound
        case added(CommentRecord, outbox: [OutboxRow])
    }

    public enum DeleteOutcome: Sendable, Equatable {
        case notFound
        /// Neither the comment's author nor the media's owner.
        case forbidden
        case deleted
    }

    public func add(media mediaID: ShardedID, author: ShardedID, body: String, logger: Logger) async throws -> AddOutcome {
        guard postgres.shardMap.allShards.contains(mediaID.shard) else { return .notFound }
        return try await postgres.withTransaction(shard: mediaID.shard, logger: logger) { connection, schema in
            // The UPDATE first: its row lock keeps the media from being deleted under the new comment.
            let media = try await connection.query(
                "UPDATE \(schema).media SET comment_count = comment_count + 1 WHERE id = \(mediaID) AND deleted_at IS NULL RETURNING owner_id",
                logger: logger
            ).collect()
            guard let owner = try media.first?.decode(ShardedID.self) else { return .notFound }
            let rows = try await connection.query(
                "INSERT INTO \(schema).comments (media_id, author_id, body) VALUES (\(mediaID), \(author), \(body)) RETURNING id, created_at",
                logger: logger
            ).collect()
            guard let (id, createdAt) = try rows.first?.decode((ShardedID, Date).self) else {
                throw StorageError(.protocolError, "INSERT comments returned no row")
            }
            var outbox: [OutboxRow] = []
            if owner != author {
                let activity = try OutboxMessage(
                    topic: .activity, encoding: ActivityJob(recipientID: owner, actorID: author, kind: "comment", mediaID: mediaID, commentID: id))
                outbox = try await Outbox.insert([activity], shard: mediaID.shard, on: connection, logger: logger)
            }
            return .added(CommentRecord(id: id, mediaID: mediaID, authorID: author, body: body, createdAt: createdAt), outbox: outbox)
        }
    }

    /// Live comments of a live media, newest first, ids below `before`; nil when the media is unknown or deleted.
    public func comments(of mediaID: ShardedID, before: ShardedID?, limit: Int, logger: Logger) async throws -> [CommentRecord]? {
        guard postgres.shardMap.allShards.contains(mediaID.shard) else { return nil }
        let cursor = before?.rawValue ?? Int64.max
        return try await postgres.withConnection(shard: mediaID.shard, logger: logger) { connection, schema in
            guard try await MediaRepository.isLive(mediaID, on: connection, schema: schema, logger: logger) else { return nil }
            let rows = try await connection.query(
                """
                SELECT id, author_id, body, created_at FROM \(schema).comments
                WHERE media_id = \(mediaID) AND id < \(cursor) AND deleted_at IS NULL ORDER BY id DESC LIMIT \(limit)
                """,
                logger: logger
            ).collect()
            return try rows.map { row in
                let (id, author, body, createdAt) = try row.decode((ShardedID, ShardedID, String, Date).self)
                return CommentRecord(id: id, mediaID: mediaID, authorID: author, body: body, createdAt: createdAt)
            }
        }
    }

    /// Soft-deletes the comment if `requester` wrote it or owns the media.
    public func delete(comment commentID: ShardedID, media mediaID: ShardedID, requester: ShardedID, logger: Logger) async throws -> DeleteOutcome {
        guard postgres.shardMap.allShards.contains(mediaID.shard) else { return .notFound }
        return try await postgres.withTransaction(shard: mediaID.shard, logger: logger) { connection, schema in
            let rows = try await connection.query(
                """
                SELECT c.author_id, m.owner_id FROM \(schema).comments c JOIN \(schema).media m ON m.id = c.media_id
                WHERE c.id = \(commentID) AND c.media_id = \(mediaID) AND c.deleted_at IS NULL AND m.deleted_at IS NULL
                FOR UPDATE OF c
                """,
                logger: logger
            ).collect()
            guard let (author, owner) = try rows.first?.decode((ShardedID, ShardedID).self) else { return .notFound }
            guard requester == author || requester == owner else { return .forbidden }
            try await connection.query(
                "UPDATE \(schema).comments SET deleted_at = now() WHERE id = \(commentID)", logger: logger
            ).collect()
            try await connection.query(
                "UPDATE \(schema).media SET comment_count = greatest(comment_count - 1, 0) WHERE id = \(mediaID)", logger: logger
            ).collect()
            return .deleted
        }
    }
}
