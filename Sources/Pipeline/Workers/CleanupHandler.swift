import Logging
import Storage
import S3

/// `cleanup`: a media was deleted. Removes its objects, its entries in followers' feeds and in the place index, and
/// the likes and comments rows on its shard. (The place index is cleaned here rather than by a job of its own: the
/// delete already writes this one job, and the search hides deleted media anyway until it runs.)
///
/// Idempotent without bookkeeping: deleting an absent object succeeds, ZREM of an absent member and a second DELETE
/// change nothing.
public struct CleanupHandler: JobHandler {
    public let topic = OutboxTopic.cleanup
    let objectStore: any ObjectStore
    let postgres: ShardedPostgres
    /// Nil only in tests of the object and row part.
    let feeds: FeedCleaner?
    /// Nil only in tests of the object and row part.
    let geo: GeoIndex?

    public init(objectStore: any ObjectStore, postgres: ShardedPostgres, feeds: FeedCleaner?, geo: GeoIndex? = nil) {
        self.objectStore = objectStore
        self.postgres = postgres
        self.feeds = feeds
        self.geo = geo
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
        try await geo?.remove([mediaID])
        let (likes, comments) = try await MediaRepository(postgres: postgres).deleteInteractions(of: mediaID, logger: logger)
        context.logger.info(
            "cleaned up deleted media",
            metadata: [
                "media_id": "\(mediaID)", "objects": "\(keys.count)", "feed_entries": "\(feedEntries)", "likes": "\(likes)",
                "comments": "\(comments)",
            ])
    }
}
