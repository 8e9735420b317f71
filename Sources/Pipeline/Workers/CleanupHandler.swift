import Logging
import PostgresNIO
import Storage

/// `cleanup`: a media was deleted. Removes its objects and the likes and comments rows on its shard.
///
/// Idempotent without bookkeeping: deleting an absent object succeeds, and a second DELETE finds no rows.
/// (Feed entries are removed by the feed stage's part of this job, added with the feeds.)
public struct CleanupHandler: JobHandler {
    public let topic = OutboxTopic.cleanup
    let objectStore: any ObjectStore
    let postgres: ShardedPostgres

    public init(objectStore: any ObjectStore, postgres: ShardedPostgres) {
        self.objectStore = objectStore
        self.postgres = postgres
    }

    public func handle(_ job: Job, context: JobContext) async throws {
        let deleted = try job.decode(MediaDeletedJob.self)
        let keys: [ObjectKey]
        do {
            keys = try deleted.keys.map { try ObjectKey($0) }
        } catch {
            throw PipelineError(.invalidJob, "cleanup job \(job.outboxID) names an invalid object key", underlying: error)
        }
        guard postgres.shardMap.allShards.contains(deleted.mediaID.shard) else {
            throw PipelineError(.invalidJob, "cleanup job \(job.outboxID): media \(deleted.mediaID) names shard \(deleted.mediaID.shard), which is not configured")
        }
        for key in keys {
            try await objectStore.delete(key)
        }
        let mediaID = deleted.mediaID
        let logger = context.logger
        let (likes, comments) = try await postgres.withTransaction(shard: mediaID.shard, logger: logger) { connection, schema in
            let likes = try await connection.query("DELETE FROM \(schema).likes WHERE media_id = \(mediaID) RETURNING 1", logger: logger).collect().count
            let comments = try await connection.query("DELETE FROM \(schema).comments WHERE media_id = \(mediaID) RETURNING 1", logger: logger).collect().count
            return (likes, comments)
        }
        context.logger.info(
            "cleaned up deleted media",
            metadata: ["media_id": "\(mediaID)", "objects": "\(keys.count)", "likes": "\(likes)", "comments": "\(comments)"])
    }
}
