import Foundation
import Logging
import Storage
import RedisClient

/// The `follow` stage: repairs the target's side of the edge (see ``FollowRepository``), then brings the target's
/// recent media into the follower's feed on follow, or takes them out on unfollow.
///
/// It acts on the *current* truth (the follower's `following` row), not on the job's flag, so jobs that run late or
/// out of order (follow, unfollow, follow) still converge; every effect is idempotent.
public struct FollowHandler: JobHandler {
    public let topic = OutboxTopic.follow
    public let follows: FollowRepository
    public let source: FeedSource
    public let store: FeedStore
    public let configuration: FeedConfiguration

    public init(postgres: ShardedPostgres, redis: RedisClient, configuration: FeedConfiguration = FeedConfiguration()) {
        self.follows = FollowRepository(postgres: postgres)
        self.source = FeedSource(postgres: postgres)
        self.store = FeedStore(redis: redis, cap: configuration.cap)
        self.configuration = configuration
    }

    public func handle(_ job: Job, context: JobContext) async throws {
        let payload = try job.decode(FollowChangedJob.self)
        let logger = context.logger
        let following = try await follows.reconcileTargetSide(follower: payload.followerID, target: payload.targetID, logger: logger)
        // A later change of the same edge has its own job and does its own feed work.
        guard following == payload.following else { return }
        if following {
            let recent = try await source.recentMediaIDs(owners: [payload.targetID], limit: configuration.followBackfill, logger: logger)
            try await store.add(recent, toFeedOf: payload.followerID)
        } else {
            // Whatever of the target the feed may hold lies at or above its oldest entry, deleted media included.
            guard let oldest = try await store.oldest(of: payload.followerID) else { return }
            let ids = try await source.recentMediaIDs(
                owners: [payload.targetID], since: oldest, limit: configuration.cap, includeDeleted: true, logger: logger)
            try await store.remove(ids, fromFeedOf: payload.followerID)
        }
    }
}
