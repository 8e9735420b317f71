import Foundation
import Logging
import Storage

/// Everything Darkroom reads from its environment. Defaults match the `make run` stack (`scripts/devstack env run`),
/// so `darkroom serve` works there with no variable set. The README lists every variable.
public struct DarkroomConfiguration: Sendable {
    public struct HTTP: Sendable {
        /// `DARKROOM_HTTP_HOST`, default 127.0.0.1.
        public var host: String
        /// `DARKROOM_HTTP_PORT`, default 8080.
        public var port: Int
        /// `DARKROOM_HTTP_HEADER_TIMEOUT_MS`, default 10000: a request's head must arrive in full this soon after the
        /// connection opened (its first request) or after its first byte (later ones), else the connection is closed.
        public var headerTimeout: Duration
        /// `DARKROOM_HTTP_IDLE_TIMEOUT_MS`, default 60000: a connection with no request in progress, or whose request
        /// body stops arriving, is closed after this long.
        public var idleTimeout: Duration
        /// `DARKROOM_HTTP_MAX_CONNECTIONS`, default 1000: connections open at once; one more is answered 503 and
        /// closed. Keep it below the process' open-file limit (`ulimit -n`) less what the pools use.
        public var maxConnections: Int
    }

    public struct Postgres: Sendable {
        /// `DARKROOM_PG_URLS`: one postgres:// URL per physical server, comma-separated. The first server also holds
        /// the username directory.
        public var urls: [String]
        /// `DARKROOM_SHARD_COUNT`, default 8 (1...8192): the number of logical shards.
        public var shardCount: Int
        /// `DARKROOM_SHARD_MAP`, e.g. `0-3:0,4-7:1` (logical shards → server index); default: contiguous equal split.
        public var shardMap: String?
        /// `DARKROOM_PG_TIMEOUT_MS`, default 3000: deadline of one database call, so a down server fails fast.
        public var timeout: Duration
        /// `DARKROOM_PG_MAX_CONNECTIONS`, default 20 per server.
        public var maxConnections: Int
    }

    public struct Redis: Sendable {
        /// `DARKROOM_REDIS_URL`, default redis://127.0.0.1:6380.
        public var url: String
        /// `DARKROOM_REDIS_POOL_SIZE`, default 4.
        public var poolSize: Int
        /// `DARKROOM_REDIS_TIMEOUT_MS`, default 2000: connect and command timeout.
        public var timeout: Duration
    }

    public struct ObjectStore: Sendable {
        /// `DARKROOM_S3_ENDPOINT`, default http://127.0.0.1:8333 (path-style addressing).
        public var endpoint: String
        /// `DARKROOM_S3_REGION`, default us-east-1.
        public var region: String
        /// `DARKROOM_S3_BUCKET`, default darkroom.
        public var bucket: String
        /// `DARKROOM_S3_ACCESS_KEY`, default darkroom.
        public var accessKey: String
        /// `DARKROOM_S3_SECRET_KEY`, default darkroom-run-secret (the local stack's).
        public var secretKey: String
        /// `DARKROOM_S3_TIMEOUT_MS`, default 10000: deadline of one S3 operation, its retries included (an attempt
        /// gets at most half of it, and at most 5 s).
        public var timeout: Duration
    }

    public struct Accounts: Sendable {
        /// `DARKROOM_BCRYPT_COST`, default 12 (4...20): bcrypt work factor; each step doubles the CPU per signup and
        /// login. Tests use 4.
        public var bcryptCost: Int
        /// `DARKROOM_BCRYPT_THREADS`, default half the cores (at least 1): threads that run bcrypt, and nothing else.
        /// The rest of the cores stay free for sessions and uploads during a burst of logins.
        public var bcryptThreads: Int
        /// `DARKROOM_BCRYPT_QUEUE`, default 4: signups and logins that may wait for a bcrypt thread; beyond that they
        /// get 503 `overloaded` with Retry-After at once.
        public var bcryptQueue: Int
        /// `DARKROOM_SESSION_TTL_SECONDS`, default 2592000 (30 days): a session expires after this long unused.
        public var sessionTTL: Duration
    }

    public struct Upload: Sendable {
        /// `DARKROOM_UPLOAD_MAX_BYTES`, default 31457280 (30 MB): larger bodies get 413 before being read in full.
        public var maxBytes: Int
        /// `DARKROOM_UPLOAD_MEGAPIXEL_BUDGET`, default 48: megapixels of images being decoded at once (each upload
        /// holds its declared width × height until its renditions are made). 48 lets four 12-MP photos decode
        /// together, two per core on the 2-core reference machine, with peak RSS near 400 MB.
        public var megapixelBudget: Int
        /// `DARKROOM_UPLOAD_ADMISSION_WAIT_MS`, default 2000: how long an upload waits for budget before 503.
        public var admissionWait: Duration
    }

    public struct Origin: Sendable {
        /// `DARKROOM_ORIGIN_CACHE_BYTES`, default 67108864 (64 MiB): rendition bytes the CDN origin keeps in memory
        /// per process (least recently used out; 0 turns the cache off). An object over an eighth of it is not kept.
        public var cacheBytes: Int
        /// `DARKROOM_ORIGIN_SIGNING_KEYS`, default none: comma-separated secrets (at least 32 characters each) for
        /// signed origin links; the first signs, all verify (rotation). Without any, every signed link gets 403.
        public var signingKeys: [String]
    }

    /// The render worker pool: the processes that decode uploads, so a decoder crash never takes the server down.
    public struct RenderWorkers: Sendable {
        /// `DARKROOM_RENDER_WORKERS`, default 4 (1...256): worker processes at most (started on demand). 4 matches the
        /// default megapixel budget's four 12-MP photos at once.
        public var size: Int
        /// `DARKROOM_RENDER_WORKER_EXECUTABLE`, default this process' own binary (`/proc/self/exe`): the `darkroom`
        /// binary to run as `darkroom render-worker`. Tests, whose process is not `darkroom`, point it at the build.
        public var executable: String
        /// `DARKROOM_RENDER_WORKER_MEMORY_MB`, default 2048 (64...1048576): each worker's address-space limit.
        public var memoryLimitMB: Int
        /// `DARKROOM_RENDER_WORKER_DEADLINE_MS`, default 30000: a render taking longer kills its worker (422).
        public var deadline: Duration
        /// `DARKROOM_RENDER_WORKER_WAIT_MS`, default 10000: how long an admitted upload waits for a free worker
        /// before 503 `overloaded`.
        public var wait: Duration
        /// `DARKROOM_RENDER_WORKER_TEST_CRASH_MARKER`, **tests only**, unset in production: passed to the workers,
        /// which abort on an upload containing this text (to prove a worker's death fails one upload only).
        public var testCrashMarker: String?
    }

    public struct Workers: Sendable {
        /// `DARKROOM_WORKER_CONCURRENCY`, default 4 (1...1024): jobs handled at once per stage per process.
        public var concurrency: Int
        /// `DARKROOM_JOB_MAX_DELIVERIES`, default 5 (1...100): deliveries before a failing job goes to the dead-letter
        /// stream.
        public var maxDeliveries: Int
        /// `DARKROOM_JOB_RETRY_BASE_MS`, default 1000: wait after a job's first failure; doubles with each delivery.
        public var retryBase: Duration
        /// `DARKROOM_JOB_RETRY_MAX_MS`, default 60000: the longest wait between two deliveries of a failing job.
        public var retryMax: Duration
        /// `DARKROOM_JOB_RECLAIM_IDLE_MS`, default 60000: a job unacknowledged this long belongs to a dead worker and is
        /// taken over. Must exceed the slowest legitimate job, or a job runs twice at once.
        public var reclaimIdle: Duration
        /// `DARKROOM_WORKER_SHUTDOWN_GRACE_MS`, default 10000: how long jobs in flight may finish at shutdown.
        public var shutdownGrace: Duration
        /// `DARKROOM_WORKER_NAME`: the Redis consumer name. Default `<host>-<pid>-<random>`; set a stable name (one per
        /// process!) to have a restarted process take back its own unfinished jobs at once instead of after the reclaim idle time.
        public var name: String?
        /// `DARKROOM_STREAM_TRIM_INTERVAL_MS`, default 60000: how often stage streams are trimmed (MINID below the
        /// oldest pending job).
        public var trimInterval: Duration
        /// `DARKROOM_OUTBOX_RELAY_DELAY_MS`, default 5000: an outbox row unpublished this long is published by the relay.
        public var relayDelay: Duration
        /// `DARKROOM_OUTBOX_RELAY_INTERVAL_MS`, default 1000: how often the relay looks.
        public var relayInterval: Duration
        /// `DARKROOM_OUTBOX_RETENTION_HOURS`, default 24: published outbox rows are deleted once this old.
        public var outboxRetention: Duration
        /// `DARKROOM_JOB_HANDLER_DELAY_MS`, default 0: sleep before every job. For fault drills and tests only (it
        /// widens the window in which a worker can be killed mid-job).
        public var handlerDelay: Duration
    }

    public struct Feeds: Sendable {
        /// `DARKROOM_FEED_CAP`, default 800: entries kept per user feed in Redis.
        public var cap: Int
        /// `DARKROOM_FEED_CHUNK_SIZE`, default 10000: followers written per `feed` job.
        public var chunkSize: Int
        /// `DARKROOM_FEED_CELEBRITY_THRESHOLD`, default 100000: authors with more followers are merged at read time
        /// instead of fanned out.
        public var celebrityThreshold: Int
    }

    public struct Sweep: Sendable {
        /// `DARKROOM_SWEEP_GRACE_SECONDS`, default 3600: an object is swept only once this old, so an upload still
        /// between Store and Metadata is never touched. Keep it far above the longest upload.
        public var grace: Duration
        /// `DARKROOM_SWEEP_INTERVAL_SECONDS`, default 3600: how often the workers sweep (one process per interval, by a
        /// Redis lease); 0 turns the periodic sweep off (`darkroom sweep` still works).
        public var interval: Duration?
    }

    public struct RateLimits: Sendable {
        /// `DARKROOM_RATE_*`: each `N/period` (`10/15m`; units ms, s, m, h, d) or `off`. See the README for the
        /// defaults and why.
        public var limits: [RateLimitKind: RateLimit]
        /// `DARKROOM_TRUSTED_PROXIES`: CIDRs whose `X-Forwarded-For` is believed; default none.
        public var trustedProxies: TrustedProxies

        /// Variable and default of each limit.
        public static let variables: [(kind: RateLimitKind, variable: String, default: String)] = [
            (.loginAccount, "DARKROOM_RATE_LOGIN_ACCOUNT", "10/15m"),
            (.loginIP, "DARKROOM_RATE_LOGIN_IP", "20/1m"),
            (.signupIP, "DARKROOM_RATE_SIGNUP_IP", "10/1h"),
            (.upload, "DARKROOM_RATE_UPLOAD_USER", "60/1h"),
            (.comment, "DARKROOM_RATE_COMMENT_USER", "60/1h"),
            (.like, "DARKROOM_RATE_LIKE_USER", "300/1h"),
            (.follow, "DARKROOM_RATE_FOLLOW_USER", "100/1h"),
        ]

        /// `N/period` → the limit; `off` → nil.
        public static func parse(_ spec: String) throws(ConfigurationError) -> RateLimit? {
            let text = spec.lowercased().trimmingWhitespace()
            if text == "off" { return nil }
            let parts = text.split(separator: "/", maxSplits: 1).map(String.init)
            guard parts.count == 2, let count = Int(parts[0]), count >= 1 else {
                throw ConfigurationError(.invalidConfiguration, "'\(spec)' is not N/period (e.g. 10/15m) or off")
            }
            let unit = parts[1].drop { $0.isNumber }
            let amount = parts[1].prefix { $0.isNumber }
            let number = amount.isEmpty ? 1 : Int(amount) ?? 0
            let seconds: [Substring: Int64] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
            let period: Duration
            if unit == "ms" {
                period = .milliseconds(number)
            } else if let factor = seconds[unit] {
                period = .seconds(Int64(number) * factor)
            } else {
                throw ConfigurationError(.invalidConfiguration, "'\(spec)': the period's unit must be ms, s, m, h or d")
            }
            guard number >= 1 else { throw ConfigurationError(.invalidConfiguration, "'\(spec)': the period must be positive") }
            return RateLimit(count: count, period: period)
        }
    }

    public var http: HTTP
    public var postgres: Postgres
    public var redis: Redis
    public var objectStore: ObjectStore
    public var accounts: Accounts
    public var upload: Upload
    public var origin: Origin
    public var renderWorkers: RenderWorkers
    public var workers: Workers
    public var feeds: Feeds
    public var sweep: Sweep
    /// `DARKROOM_FAILPOINTS`, default none: comma-separated faults to arm, for fault tests and drills only (see
    /// `Failpoints`). Never set in production.
    public var failpoints: Failpoints
    public var rateLimits: RateLimits
    /// `DARKROOM_CDN_BASE_URL`, default http://127.0.0.1:8080: where rendition URLs point.
    public var cdnBaseURL: String
    /// `DARKROOM_LOG_LEVEL`, default info.
    public var logLevel: Logger.Level

    public init(environment: [String: String]) throws(ConfigurationError) {
        let env = EnvironmentReader(environment)
        http = HTTP(
            host: env.string("DARKROOM_HTTP_HOST", default: "127.0.0.1"),
            port: try env.int("DARKROOM_HTTP_PORT", default: 8080, in: 0...65535),
            headerTimeout: try env.milliseconds("DARKROOM_HTTP_HEADER_TIMEOUT_MS", default: 10_000, in: 10...600_000),
            idleTimeout: try env.milliseconds("DARKROOM_HTTP_IDLE_TIMEOUT_MS", default: 60_000, in: 10...3_600_000),
            maxConnections: try env.int("DARKROOM_HTTP_MAX_CONNECTIONS", default: 1_000, in: 1...1_000_000)
        )

        let urls = env.string(
            "DARKROOM_PG_URLS",
            default: "postgres://darkroom:darkroom@127.0.0.1:54321/darkroom,postgres://darkroom:darkroom@127.0.0.1:54322/darkroom"
        ).split(separator: ",").map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty }
        guard !urls.isEmpty else { throw ConfigurationError(.invalidConfiguration, "DARKROOM_PG_URLS names no server") }
        for url in urls where !(url.hasPrefix("postgres://") || url.hasPrefix("postgresql://")) {
            throw ConfigurationError(.invalidConfiguration, "DARKROOM_PG_URLS: '\(Self.redactingPassword(url))' is not a postgres:// URL")
        }
        postgres = Postgres(
            urls: urls,
            shardCount: try env.int("DARKROOM_SHARD_COUNT", default: 8, in: 1...8192),
            shardMap: env.optionalString("DARKROOM_SHARD_MAP"),
            timeout: try env.milliseconds("DARKROOM_PG_TIMEOUT_MS", default: 3000, in: 100...600_000),
            maxConnections: try env.int("DARKROOM_PG_MAX_CONNECTIONS", default: 20, in: 1...1000)
        )

        let redisURL = env.string("DARKROOM_REDIS_URL", default: "redis://127.0.0.1:6380")
        guard redisURL.hasPrefix("redis://") else {
            throw ConfigurationError(.invalidConfiguration, "DARKROOM_REDIS_URL='\(Self.redactingPassword(redisURL))' is not a redis:// URL")
        }
        redis = Redis(
            url: redisURL,
            poolSize: try env.int("DARKROOM_REDIS_POOL_SIZE", default: 4, in: 1...256),
            timeout: try env.milliseconds("DARKROOM_REDIS_TIMEOUT_MS", default: 2000, in: 50...600_000)
        )

        let endpoint = env.string("DARKROOM_S3_ENDPOINT", default: "http://127.0.0.1:8333")
        guard endpoint.hasPrefix("http://") || endpoint.hasPrefix("https://") else {
            throw ConfigurationError(.invalidConfiguration, "DARKROOM_S3_ENDPOINT='\(endpoint)' is not an http(s):// URL")
        }
        let bucket = env.string("DARKROOM_S3_BUCKET", default: "darkroom")
        guard Self.isValidBucketName(bucket) else {
            throw ConfigurationError(.invalidConfiguration, "DARKROOM_S3_BUCKET='\(bucket)' is not a valid bucket name (3-63 of a-z0-9.-)")
        }
        objectStore = ObjectStore(
            endpoint: endpoint,
            region: env.string("DARKROOM_S3_REGION", default: "us-east-1"),
            bucket: bucket,
            accessKey: env.string("DARKROOM_S3_ACCESS_KEY", default: "darkroom"),
            secretKey: env.string("DARKROOM_S3_SECRET_KEY", default: "darkroom-run-secret"),
            timeout: try env.milliseconds("DARKROOM_S3_TIMEOUT_MS", default: 10_000, in: 100...600_000)
        )

        accounts = Accounts(
            bcryptCost: try env.int("DARKROOM_BCRYPT_COST", default: 12, in: 4...20),
            bcryptThreads: try env.int("DARKROOM_BCRYPT_THREADS", default: max(1, ProcessInfo.processInfo.activeProcessorCount / 2), in: 1...256),
            bcryptQueue: try env.int("DARKROOM_BCRYPT_QUEUE", default: 4, in: 0...10_000),
            sessionTTL: .seconds(try env.int("DARKROOM_SESSION_TTL_SECONDS", default: 2_592_000, in: 60...31_536_000))
        )

        upload = Upload(
            maxBytes: try env.int("DARKROOM_UPLOAD_MAX_BYTES", default: 30 * 1024 * 1024, in: 1024...(1 << 30)),
            megapixelBudget: try env.int("DARKROOM_UPLOAD_MEGAPIXEL_BUDGET", default: 48, in: 1...10_000) * 1_000_000,
            admissionWait: try env.milliseconds("DARKROOM_UPLOAD_ADMISSION_WAIT_MS", default: 2000, in: 0...600_000)
        )
        let signingKeys = (env.optionalString("DARKROOM_ORIGIN_SIGNING_KEYS") ?? "").split(separator: ",").map {
            String($0).trimmingWhitespace()
        }.filter { !$0.isEmpty }
        for key in signingKeys where key.utf8.count < 32 {
            throw ConfigurationError(.invalidConfiguration, "DARKROOM_ORIGIN_SIGNING_KEYS: every key needs at least 32 characters (one has \(key.utf8.count))")
        }
        origin = Origin(
            cacheBytes: try env.int("DARKROOM_ORIGIN_CACHE_BYTES", default: 64 << 20, in: 0...(1 << 40)), signingKeys: signingKeys)
        renderWorkers = RenderWorkers(
            size: try env.int("DARKROOM_RENDER_WORKERS", default: 4, in: 1...256),
            executable: env.string("DARKROOM_RENDER_WORKER_EXECUTABLE", default: "/proc/self/exe"),
            memoryLimitMB: try env.int("DARKROOM_RENDER_WORKER_MEMORY_MB", default: 2048, in: 64...1_048_576),
            deadline: try env.milliseconds("DARKROOM_RENDER_WORKER_DEADLINE_MS", default: 30_000, in: 10...3_600_000),
            wait: try env.milliseconds("DARKROOM_RENDER_WORKER_WAIT_MS", default: 10_000, in: 0...600_000),
            testCrashMarker: env.optionalString("DARKROOM_RENDER_WORKER_TEST_CRASH_MARKER")
        )
        workers = Workers(
            concurrency: try env.int("DARKROOM_WORKER_CONCURRENCY", default: 4, in: 1...1024),
            maxDeliveries: try env.int("DARKROOM_JOB_MAX_DELIVERIES", default: 5, in: 1...100),
            retryBase: try env.milliseconds("DARKROOM_JOB_RETRY_BASE_MS", default: 1000, in: 10...3_600_000),
            retryMax: try env.milliseconds("DARKROOM_JOB_RETRY_MAX_MS", default: 60_000, in: 10...86_400_000),
            reclaimIdle: try env.milliseconds("DARKROOM_JOB_RECLAIM_IDLE_MS", default: 60_000, in: 100...86_400_000),
            shutdownGrace: try env.milliseconds("DARKROOM_WORKER_SHUTDOWN_GRACE_MS", default: 10_000, in: 0...600_000),
            name: env.optionalString("DARKROOM_WORKER_NAME"),
            trimInterval: try env.milliseconds("DARKROOM_STREAM_TRIM_INTERVAL_MS", default: 60_000, in: 100...86_400_000),
            relayDelay: try env.milliseconds("DARKROOM_OUTBOX_RELAY_DELAY_MS", default: 5000, in: 0...3_600_000),
            relayInterval: try env.milliseconds("DARKROOM_OUTBOX_RELAY_INTERVAL_MS", default: 1000, in: 10...600_000),
            outboxRetention: .seconds(3600 * (try env.int("DARKROOM_OUTBOX_RETENTION_HOURS", default: 24, in: 1...8760))),
            handlerDelay: try env.milliseconds("DARKROOM_JOB_HANDLER_DELAY_MS", default: 0, in: 0...600_000)
        )
        guard workers.retryMax >= workers.retryBase else {
            throw ConfigurationError(.invalidConfiguration, "DARKROOM_JOB_RETRY_MAX_MS must be at least DARKROOM_JOB_RETRY_BASE_MS")
        }
        feeds = Feeds(
            cap: try env.int("DARKROOM_FEED_CAP", default: 800, in: 10...100_000),
            chunkSize: try env.int("DARKROOM_FEED_CHUNK_SIZE", default: 10_000, in: 1...1_000_000),
            celebrityThreshold: try env.int("DARKROOM_FEED_CELEBRITY_THRESHOLD", default: 100_000, in: 0...Int.max)
        )

        let sweepInterval = try env.int("DARKROOM_SWEEP_INTERVAL_SECONDS", default: 3600, in: 0...604_800)
        sweep = Sweep(
            grace: .seconds(try env.int("DARKROOM_SWEEP_GRACE_SECONDS", default: 3600, in: 0...31_536_000)),
            interval: sweepInterval == 0 ? nil : .seconds(sweepInterval)
        )
        do {
            failpoints = try Failpoints(parsing: env.string("DARKROOM_FAILPOINTS", default: ""))
        } catch {
            throw ConfigurationError(.invalidConfiguration, "DARKROOM_FAILPOINTS: \(error.message)")
        }
        var limits: [RateLimitKind: RateLimit] = [:]
        for entry in RateLimits.variables {
            limits[entry.kind] = try env.parse(entry.variable, default: entry.default) { spec throws(ConfigurationError) in try RateLimits.parse(spec) }
        }
        rateLimits = RateLimits(
            limits: limits,
            trustedProxies: try env.parse("DARKROOM_TRUSTED_PROXIES", default: "") { spec throws(ConfigurationError) in try TrustedProxies(parsing: spec) })

        cdnBaseURL = env.string("DARKROOM_CDN_BASE_URL", default: "http://127.0.0.1:8080")
        let level = env.string("DARKROOM_LOG_LEVEL", default: "info").lowercased()
        guard let logLevel = Logger.Level(rawValue: level) else {
            throw ConfigurationError(.invalidConfiguration, "DARKROOM_LOG_LEVEL='\(level)' is not one of trace, debug, info, notice, warning, error, critical")
        }
        self.logLevel = logLevel
    }

    static func isValidBucketName(_ name: String) -> Bool {
        (3...63).contains(name.count) && name.allSatisfy { $0.isLowercase && $0.isASCII || $0.isNumber && $0.isASCII || $0 == "-" || $0 == "." }
            && name.first != "-" && name.first != "."
    }

    /// Start-up messages may quote a URL; its password never reaches a log.
    static func redactingPassword(_ url: String) -> String {
        guard let scheme = url.range(of: "://"), let at = url.range(of: "@", range: scheme.upperBound..<url.endIndex) else { return url }
        let userInfo = url[scheme.upperBound..<at.lowerBound]
        guard let colon = userInfo.firstIndex(of: ":") else { return url }
        return String(url[..<colon]) + ":***" + String(url[at.lowerBound...])
    }
}
