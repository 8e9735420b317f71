import Logging
import RedisClient

/// `GET /v1/feed`'s logic: the reader's Redis feed (rebuilt from PostgreSQL when lost), merged with the recent media
/// of followed authors above the celebrity threshold (never fanned out), filtered to authors the reader still
/// follows (an unfollow is effective at once, even before its job has removed the entries), hydrated from the shards.
public struct FeedReader: Sendable {
    public let follows: FollowRepository
    public let store: FeedStore
    public let source: FeedSource
    public let media: MediaRepository
    public let configuration: FeedConfiguration
    public let celebrities: CelebrityCache

    public init(
        postgres: ShardedPostgres, redis: RedisClient, configuration: FeedConfiguration = FeedConfiguration(),
        celebrities: CelebrityCache = CelebrityCache()
    ) {
        self.celebrities = celebrities
        self.follows = FollowRepository(postgres: postgres)
        self.store = FeedStore(redis: redis, cap: configuration.cap)
        self.source = FeedSource(postgres: postgres)
        self.media = MediaRepository(postgres: postgres)
        self.configuration = configuration
    }

    public struct Page: Sendable {
        public var media: [MediaRecord]
        /// Pass back as `before` for the next page; nil at the end.
        public var nextCursor: ShardedID?
    }

    public func page(reader: ShardedID, before: ShardedID?, limit: Int, logger: Logger) async throws -> Page {
        let following = try await follows.allFollowing(of: reader, logger: logger)
        guard !following.isEmpty else { return Page(media: [], nextCursor: nil) }
        async let celebrityIDs = celebrityMedia(following: following, before: before, limit: limit, logger: logger)
        var fannedOut = try await store.page(of: reader, before: before, limit: limit)
        if fannedOut == nil {
            let ids = try await source.recentMediaIDs(owners: following, limit: configuration.cap, logger: logger)
            try await store.rebuild(user: reader, mediaIDs: ids)
            logger.info("feed rebuilt from PostgreSQL", metadata: ["user.id": "\(reader)", "feed.entries": "\(ids.count)"])
            fannedOut = try await store.page(of: reader, before: before, limit: limit) ?? []
        }
        let merged = Array(Set((fannedOut ?? []) + (try await celebrityIDs)).sorted(by: >).prefix(limit))
        let followed = Set(following)
        let records = try await media.media(ids: merged, logger: logger).filter { followed.contains($0.ownerID) }
        return Page(media: records, nextCursor: merged.count == limit ? merged.last : nil)
    }

    private func celebrityMedia(following: [ShardedID], before: ShardedID?, limit: Int, logger: Logger) async throws -> [ShardedID] {
        let (known, unknown) = self.celebrities.lookup(following)
        var celebrities = known
        if !unknown.isEmpty {
            let found = try await follows.usersAbove(followerThreshold: configuration.celebrityThreshold, among: unknown, logger: logger)
            self.celebrities.remember(checked: unknown, celebrities: Set(found))
            celebrities += found
        }
        guard !celebrities.isEmpty else { return [] }
        return try await source.recentMediaIDs(owners: celebrities, before: before, limit: limit, logger: logger)
    }
}
