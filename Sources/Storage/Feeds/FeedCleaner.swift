import Logging
import RedisClient

/// Takes a deleted media out of every follower's feed: what the `cleanup` stage calls. Walks the owner's followers
/// in chunks (as fan-out does) and removes the entry with pipelined ZREMs; idempotent, so a retried cleanup job may
/// run it again. Feeds are also filtered at read time (hydration skips deleted media), so this only frees the slots.
public struct FeedCleaner: Sendable {
    public let follows: FollowRepository
    public let store: FeedStore
    public let chunkSize: Int

    public init(postgres: ShardedPostgres, redis: RedisClient, configuration: FeedConfiguration = FeedConfiguration()) {
        self.follows = FollowRepository(postgres: postgres)
        self.store = FeedStore(redis: redis, cap: configuration.cap)
        self.chunkSize = configuration.chunkSize
    }

    /// Returns how many followers' feeds were visited.
    @discardableResult
    public func remove(mediaID: ShardedID, owner: ShardedID, logger: Logger) async throws -> Int {
        var cursor: ShardedID?
        var visited = 0
        while true {
            let chunk = try await follows.followerChunk(of: owner, after: cursor, limit: chunkSize, logger: logger)
            try await store.remove(mediaID: mediaID, from: chunk)
            visited += chunk.count
            guard chunk.count == chunkSize, let last = chunk.last else { return visited }
            cursor = last
        }
    }
}
