import Logging
import Storage
import S3

/// `cleanup`: a media was deleted. Removes its objects, its entries in followers' feeds, and the likes and comments
/// rows on its shard.
///
/// Idempotent without bookkeeping: deleting an absent object succeeds, ZREM of an absent member and a second DELETE
/// change nothing.
public struct CleanupHandler: JobHandler {
    public let topic = OutboxTopic.cleanup
    let objectStore: any ObjectStore
    let postgres: ShardedPostgres
    /// Nil only in tests of the object and row part.
    let feeds: FeedCleaner?

    public init(objectStore: any ObjectStore, postgres: ShardedPostgres, feeds: FeedCleaner?) {
        self.objectStore = objectStore
        self.postgres = postgres
        self.feeds = feeds
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
        let feedEntries = try await feeds?.remove(mediaID: mediaID, owner: deleted.ownerID, logger: logger) ?? 0
        let (likes, comments) = try await MediaRepository(postgres: postgres).deleteInteractions(of: mediaID, logger: logger)
        context.logger.info(
            "cleaned up deleted media",
            metadata: [
                "media_id": "\(mediaID)", "objects": "\(keys.count)", "feed_entries": "\(feedEntries)", "likes": "\(likes)",
                "comments": "\(comments)",
            ])
    }
}
