import Logging
import PostgresNIO

extension MediaRepository {
    /// Deletes the likes and comments rows of a deleted media, in one transaction on its shard; returns how many of
    /// each went. Running it again deletes nothing more.
    public func deleteInteractions(of mediaID: ShardedID, logger: Logger) async throws -> (likes: Int, comments: Int) {
        try await postgres.withTransaction(shard: mediaID.shard, logger: logger) { connection, schema in
            let likes = try await connection.query("DELETE FROM \(schema).likes WHERE media_id = \(mediaID) RETURNING 1", logger: logger).collect().count
            let comments = try await connection.query("DELETE FROM \(schema).comments WHERE media_id = \(mediaID) RETURNING 1", logger: logger).collect().count
            return (likes, comments)
        }
    }
}
