import Foundation
import Logging
import Pipeline
import ServiceLifecycle
import Storage
import RedisClient

/// The services that drain the async stages: one ``StageWorker`` per stage, an ``OutboxRelay`` per PostgreSQL
/// server, a ``StreamTrimmer`` and the ``OrphanSweepService`` (unless its interval is 0). `darkroom work` and `darkroom serve --role all` both build them here.
public struct WorkerRuntime: Sendable {
    /// The Redis client the workers read and acknowledge through, with its own connections and threads: every stage's
    /// blocking XREADGROUP holds one of each, and must never starve the API's session lookups (the shared client).
    /// It must run in the ServiceGroup before the workers.
    public let queueRedis: RedisClient
    public let workers: [StageWorker]
    public let relays: [OutboxRelay]
    public let trimmer: StreamTrimmer
    public let sweeper: OrphanSweepService?

    /// In start order: the queue client first (it shuts down last), then relays, trimmer, sweeper and workers.
    public var services: [any Service] {
        [queueRedis] + relays.map { $0 as any Service } + [trimmer] + (sweeper.map { [$0] } ?? []) + workers.map { $0 as any Service }
    }

    /// Connections (and so threads) of the queue client: each stage's blocking read holds one for its whole wait, and
    /// as many again serve acknowledgements, retries and trimming without queueing behind the reads.
    public static func queueConnections(stageCount: Int) -> Int { 2 * stageCount + 2 }

    /// - Parameter stages: the stages to run; `nil` runs every registered one. Unknown names throw `.invalidConfiguration`.
    public init(
        stages: [String]?, configuration: DarkroomConfiguration, dependencies: DarkroomDependencies, logger: Logger,
        concurrency: Int? = nil, metrics: WorkerMetrics = WorkerMetrics()
    ) throws(ConfigurationError) {
        var handlers = JobHandlers.all(dependencies: dependencies, configuration: configuration)
        if let stages {
            let known = Set(handlers.map(\.topic.rawValue))
            for stage in stages where !known.contains(stage) {
                throw ConfigurationError(.invalidConfiguration, "unknown stage '\(stage)'; stages with a handler: \(known.sorted().joined(separator: ", "))")
            }
            handlers = handlers.filter { stages.contains($0.topic.rawValue) }
        }
        let settings = configuration.workers
        if settings.handlerDelay > .zero {
            handlers = handlers.map { DelayedJobHandler(wrapped: $0, delay: settings.handlerDelay) }
        }

        var redisConfiguration = dependencies.redis.configuration
        redisConfiguration.poolSize = Self.queueConnections(stageCount: handlers.count)
        do {
            queueRedis = try RedisClient(configuration: redisConfiguration, logger: logger)
        } catch {
            throw ConfigurationError(.invalidConfiguration, "DARKROOM_REDIS_URL: \(error.message)")
        }

        var worker = StageWorkerConfiguration()
        worker.concurrency = concurrency ?? settings.concurrency
        worker.retry = RetryPolicy(maxDeliveries: settings.maxDeliveries, baseDelay: settings.retryBase, maximumDelay: settings.retryMax)
        worker.reclaimIdle = settings.reclaimIdle
        worker.shutdownGrace = settings.shutdownGrace
        // Retries are looked for often enough to honour the shortest backoff.
        worker.maintenanceInterval = min(.milliseconds(500), max(.milliseconds(50), settings.retryBase / 2))
        let consumer = settings.name ?? Self.defaultConsumerName()
        let queueRedis = self.queueRedis
        workers = handlers.map { handler in
            StageWorker(
                handler: handler, queue: JobQueue(redis: queueRedis, stream: JobStream(topic: handler.topic), consumer: consumer),
                configuration: worker, metrics: metrics, logger: logger)
        }

        var relay = OutboxRelay.Configuration()
        relay.delay = settings.relayDelay
        relay.interval = settings.relayInterval
        relay.retention = settings.outboxRetention
        relays = (0..<dependencies.postgres.serverCount).map { server in
            OutboxRelay(server: server, postgres: dependencies.postgres, redis: dependencies.redis, configuration: relay, logger: logger)
        }
        trimmer = StreamTrimmer(redis: queueRedis, streams: handlers.map { JobStream(topic: $0.topic) }, interval: settings.trimInterval, logger: logger)
        sweeper = configuration.sweep.interval.map { interval in
            OrphanSweepService(
                sweeper: OrphanSweeper(dependencies: dependencies, configuration: configuration), redis: dependencies.redis,
                bucket: configuration.objectStore.bucket, interval: interval, owner: consumer, logger: logger)
        }
    }

    /// Unique per process: a consumer name shared by two live processes would mix their pending jobs.
    static func defaultConsumerName() -> String {
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "host"
        let random = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        return "\(host)-\(ProcessInfo.processInfo.processIdentifier)-\(random)"
    }
}
