import Logging
import ServiceLifecycle
import Storage
import S3
import RedisClient

/// The long-lived clients every role of the process shares: one PostgreSQL pool per physical server, the Redis pool
/// and the object store. Each is a Service; the ServiceGroup runs them and shuts them down in reverse order.
public struct DarkroomDependencies: Sendable {
    public let postgres: ShardedPostgres
    public let redis: RedisClient
    public let objectStore: S3ObjectStore
    /// The threads bcrypt runs on (signups, logins), bounded: see ``BoundedThreadPool``.
    public let bcryptPool: BoundedThreadPool

    public init(configuration: DarkroomConfiguration, logger: Logger) throws(ConfigurationError) {
        do {
            var pg = try ShardedPostgresConfiguration(
                urls: configuration.postgres.urls,
                shardCount: configuration.postgres.shardCount,
                shardMapSpec: configuration.postgres.shardMap
            )
            pg.callTimeout = configuration.postgres.timeout
            pg.maximumConnectionsPerServer = configuration.postgres.maxConnections
            postgres = ShardedPostgres(configuration: pg, logger: logger)
        } catch {
            throw ConfigurationError(.invalidConfiguration, "DARKROOM_PG_URLS / DARKROOM_SHARD_COUNT / DARKROOM_SHARD_MAP: \(error.message)")
        }
        do {
            var redisConfiguration = try RedisConfiguration(url: configuration.redis.url)
            redisConfiguration.poolSize = configuration.redis.poolSize
            redisConfiguration.connectTimeout = configuration.redis.timeout
            redisConfiguration.commandTimeout = configuration.redis.timeout
            redis = try RedisClient(configuration: redisConfiguration, logger: logger)
        } catch {
            throw ConfigurationError(.invalidConfiguration, "DARKROOM_REDIS_URL: \(error.message)")
        }
        do {
            objectStore = try S3ObjectStore(configuration: configuration.objectStore.s3Configuration, logger: logger)
        } catch {
            throw ConfigurationError(.invalidConfiguration, "DARKROOM_S3_*: \(error.message)")
        }
        bcryptPool = BoundedThreadPool(name: "bcrypt", threads: configuration.accounts.bcryptThreads, queueLimit: configuration.accounts.bcryptQueue)
    }

    /// In dependency order: later services may use earlier ones, and shut down first.
    public var services: [any Service] { [postgres, redis, objectStore, bcryptPool] }

    /// One check per PostgreSQL server (so a single server down is named), Redis, and the object store.
    public var readinessChecks: [any ReadinessCheck] {
        let postgres = self.postgres
        let redis = self.redis
        let objectStore = self.objectStore
        var checks: [any ReadinessCheck] = (0..<postgres.serverCount).map { server in
            ClosureReadinessCheck(name: "postgres-\(server)") {
                if let failure = await postgres.ping().first(where: { $0.server == server })?.error { throw failure }
            }
        }
        checks.append(ClosureReadinessCheck(name: "redis") { try await redis.ping() })
        checks.append(ClosureReadinessCheck(name: "object-store") { try await objectStore.checkHealth() })
        return checks
    }
}

extension DarkroomConfiguration.ObjectStore {
    public var s3Configuration: S3Configuration {
        S3Configuration(
            endpoint: endpoint,
            region: region,
            bucket: bucket,
            credentials: .init(accessKey: accessKey, secretKey: secretKey),
            requestTimeout: timeout,
            // One hung attempt must leave time for a retry within the operation's budget.
            attemptTimeout: min(.seconds(5), timeout / 2)
        )
    }
}

extension DarkroomConfiguration.Feeds {
    public var feedConfiguration: FeedConfiguration {
        FeedConfiguration(cap: cap, chunkSize: chunkSize, celebrityThreshold: Int64(celebrityThreshold))
    }
}
