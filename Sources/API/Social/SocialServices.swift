import Runtime
import Logging
import Pipeline
import Storage
import RedisClient

/// What the social routes need: the graph, feeds, likes, comments, activity and tags on the real tiers.
public struct SocialServices: Sendable {
    public var users: UserRepository
    public var follows: FollowRepository
    public var feed: FeedReader
    public var likes: LikeRepository
    public var comments: CommentRepository
    public var activity: ActivityStore
    public var tags: HashtagQuery
    public var media: MediaRepository
    public var publish: PublishStage
    /// Rendition URLs in media JSON are built on this (empty: paths relative to this server).
    public var cdnBaseURL: String

    public init(
        postgres: ShardedPostgres, redis: RedisClient, feedConfiguration: FeedConfiguration = FeedConfiguration(), cdnBaseURL: String = ""
    ) {
        self.cdnBaseURL = cdnBaseURL
        users = UserRepository(postgres: postgres)
        follows = FollowRepository(postgres: postgres)
        feed = FeedReader(postgres: postgres, redis: redis, configuration: feedConfiguration)
        likes = LikeRepository(postgres: postgres)
        comments = CommentRepository(postgres: postgres)
        activity = ActivityStore(redis: redis)
        tags = HashtagQuery(postgres: postgres)
        media = MediaRepository(postgres: postgres)
        publish = PublishStage(publisher: OutboxPublisher(postgres: postgres, redis: redis))
    }

    public init(dependencies: DarkroomDependencies, configuration: DarkroomConfiguration) {
        self.init(
            postgres: dependencies.postgres, redis: dependencies.redis, feedConfiguration: configuration.feeds.feedConfiguration,
            cdnBaseURL: configuration.cdnBaseURL)
    }

    /// Users by id, in order, as responses.
    func userResponses(_ ids: [ShardedID], logger: Logger) async throws -> [UserResponse] {
        try await users.users(ids: ids, logger: logger).map(UserResponse.init)
    }
}
