import Foundation
import Logging
import Storage
import RedisClient

/// The `feed` stage: fans a new media out to one chunk of the author's followers, then enqueues the next chunk.
///
/// Idempotent: ZADD of the same member is a no-op, so a redelivered chunk (or a chunk enqueued twice) adds nothing
/// twice. Authors above the celebrity threshold are skipped: ``FeedReader`` merges their media at read time.
public struct FeedHandler: JobHandler {
    public let topic = OutboxTopic.feed
    public let follows: FollowRepository
    public let media: MediaRepository
    public let store: FeedStore
    public let configuration: FeedConfiguration

    public init(postgres: ShardedPostgres, redis: RedisClient, configuration: FeedConfiguration = FeedConfiguration()) {
        self.follows = FollowRepository(postgres: postgres)
        self.media = MediaRepository(postgres: postgres)
        self.store = FeedStore(redis: redis, cap: configuration.cap)
        self.configuration = configuration
    }

    public func handle(_ job: Job, context: JobContext) async throws {
        let payload = try job.decode(MediaPublishedJob.self)
        var logger = context.logger
        logger[metadataKey: "media.id"] = "\(payload.mediaID)"
        guard let record = try await media.media(id: payload.mediaID, logger: logger), !record.isDeleted else {
            logger.info("fan-out skipped: the media is gone")
            return
        }
        guard let followerCount = try await follows.followerCount(of: payload.ownerID, logger: logger) else {
            logger.info("fan-out skipped: the author is gone")
            return
        }
        if followerCount > configuration.celebrityThreshold {
            logger.debug("fan-out skipped: author above the celebrity threshold, merged at read time")
            return
        }
        let chunk = try await follows.followerChunk(of: payload.ownerID, after: payload.cursor, limit: configuration.chunkSize, logger: logger)
        try await store.add(payload.mediaID, to: chunk)
        // A full chunk may have more behind it; an empty next chunk costs one query and ends the chain.
        if chunk.count == configuration.chunkSize, let last = chunk.last {
            var next = payload
            next.cursor = last
            let message = try OutboxMessage(topic: .feed, encoding: next)
            try await context.enqueue(.feed, message.payload, job.outboxID, job.shard)
        }
    }
}
