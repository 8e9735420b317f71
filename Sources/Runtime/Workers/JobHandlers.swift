import Pipeline
import Storage

/// Every async stage's handler. One line per handler: a stage whose handler is listed here runs in `darkroom work`
/// and in `darkroom serve --role all`.
public enum JobHandlers {
    public static func all(dependencies: DarkroomDependencies, configuration: DarkroomConfiguration) -> [any JobHandler] {
        let postgres = dependencies.postgres
        let redis = dependencies.redis
        let feeds = configuration.feeds.feedConfiguration
        return [
            FeedHandler(postgres: postgres, redis: redis, configuration: feeds),
            FollowHandler(postgres: postgres, redis: redis, configuration: feeds),
            ActivityHandler(redis: redis),
            CleanupHandler(
                objectStore: dependencies.objectStore, postgres: postgres,
                feeds: FeedCleaner(postgres: postgres, redis: redis, configuration: feeds)),
        ]
    }
}
