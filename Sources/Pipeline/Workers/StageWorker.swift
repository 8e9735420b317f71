import Foundation
import Logging
import ServiceLifecycle
import RedisClient
import Storage

/// Runs one stage's ``JobHandler`` on its stream: up to `concurrency` jobs at once, at least once each.
///
/// One Redis consumer per worker reads for all its slots: every blocking XREADGROUP holds a pooled connection and a
/// thread for its whole wait, so one reader feeding N handler tasks costs one connection instead of N.
///
/// - Success: XACK.
/// - Failure: the job is parked under the group's retry consumer (XCLAIM JUSTID: still pending, idle time reset);
///   any worker claims it back once idle ≥ `base · 2^(deliveries-1)` (capped), which adds a delivery. The backoff
///   lives in Redis, so it survives this worker's death.
/// - Delivery `maxDeliveries` failing, `PipelineError(.invalidJob)`, or an entry without outbox fields: copied to
///   the dead-letter stream with the reason, then XACKed.
/// - A job idle `reclaimIdle` under any consumer belongs to a dead worker: XAUTOCLAIM takes it over. One that comes
///   back past `maxDeliveries` (it keeps killing workers) is dead-lettered without running.
/// - Graceful shutdown: stop reading, give jobs in flight `shutdownGrace`, then cancel them; whatever did not finish
///   stays pending and is reclaimed.
public struct StageWorker: Service, Sendable {
    public let handler: any JobHandler
    public let queue: JobQueue
    public let configuration: StageWorkerConfiguration
    public let metrics: WorkerMetrics
    /// The stream a follow-up job of a topic is appended to (``JobContext/enqueue``).
    public let streamFor: @Sendable (OutboxTopic) -> JobStream
    let logger: Logger

    public init(
        handler: any JobHandler, queue: JobQueue, configuration: StageWorkerConfiguration = .init(), metrics: WorkerMetrics = WorkerMetrics(),
        logger: Logger, streamFor: @escaping @Sendable (OutboxTopic) -> JobStream = { JobStream(topic: $0) }
    ) {
        self.handler = handler
        self.queue = queue
        self.configuration = configuration
        self.metrics = metrics
        self.streamFor = streamFor
        var logger = logger
        logger[metadataKey: "stage"] = "\(queue.stream.topic)"
        logger[metadataKey: "consumer"] = "\(queue.consumer)"
        self.logger = logger
    }

    private var isStopping: Bool { Task.isShuttingDownGracefully || Task.isCancelled }

    public func run() async throws {
        guard await prepare() else { return }
        let slots = InFlightJobs()
        let concurrency = max(1, configuration.concurrency)
        await withDiscardingTaskGroup { group in
            // Jobs this consumer held when it last stopped come first (only with a stable consumer name).
            do {
                for delivery in try await queue.readOwnPending() {
                    _ = slots.take(upTo: 1, limit: Int.max)
                    group.addTask { await self.process(delivery, slots: slots) }
                }
            } catch {
                if !isStopping {
                    logger.warning("could not re-read own pending jobs; they will be reclaimed after the idle time", metadata: ["error": "\(String(reflecting: error))"])
                }
            }
            var lastMaintenance = ContinuousClock.now - configuration.maintenanceInterval
            var lastDepth = ContinuousClock.now - configuration.depthInterval
            var reclaimCursor = "0-0"
            var redisFailures = 0
            while !isStopping {
                let free = slots.take(upTo: concurrency, limit: concurrency)
                guard free > 0 else {
                    try? await Task.sleep(for: .milliseconds(5))
                    continue
                }
                var deliveries: [JobDelivery] = []
                do {
                    if ContinuousClock.now - lastMaintenance >= configuration.maintenanceInterval {
                        lastMaintenance = .now
                        deliveries += try await queue.claimDueRetries(policy: configuration.retry, limit: free)
                        if deliveries.count < free {
                            let reclaim = try await queue.reclaim(minIdle: configuration.reclaimIdle, count: free - deliveries.count, cursor: reclaimCursor)
                            reclaimCursor = reclaim.nextCursor
                            reclaimed(reclaim)
                            deliveries += reclaim.deliveries
                        }
                    }
                    if ContinuousClock.now - lastDepth >= configuration.depthInterval {
                        lastDepth = .now
                        let depth = try await queue.depth()
                        metrics.recordDepth(queue.stream.topic, pending: depth.pending, lag: depth.lag)
                    }
                    if deliveries.isEmpty {
                        deliveries = try await queue.readNew(count: free, block: configuration.readBlock)
                    }
                    redisFailures = 0
                } catch where isStopping {
                    // Cancelled mid-read at shutdown: nothing to report.
                } catch {
                    redisFailures += 1
                    logger.warning("reading jobs failed; retrying", metadata: ["error": "\(String(reflecting: error))"])
                    // A NOGROUP after Redis lost its data (no AOF, FLUSHALL) needs the group back.
                    if let redis = error as? RedisError, redis.serverCode == "NOGROUP" { _ = await prepare() }
                }
                slots.give(free - deliveries.count)
                for delivery in deliveries {
                    group.addTask { await self.process(delivery, slots: slots) }
                }
                if redisFailures > 0 {
                    try? await Task.sleep(for: .milliseconds(min(5000, 100 << min(redisFailures, 6))))
                }
            }
            await drain(slots: slots)
            group.cancelAll()
        }
        logger.info("stage worker stopped")
    }

    /// Creates the group, retrying while Redis is unreachable. `false` when stopped first.
    private func prepare() async -> Bool {
        var attempt = 0
        while !isStopping {
            do {
                try await queue.ensureGroup()
                return true
            } catch {
                attempt += 1
                logger.warning("could not create the consumer group; retrying", metadata: ["error": "\(String(reflecting: error))"])
                try? await Task.sleep(for: .milliseconds(min(5000, 100 << min(attempt, 6))))
            }
        }
        return false
    }

    private func drain(slots: InFlightJobs) async {
        let deadline = ContinuousClock.now + configuration.shutdownGrace
        while slots.current > 0 && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        let left = slots.current
        if left > 0 {
            logger.warning("shutdown grace over; cancelling jobs in flight, they stay pending and will be reclaimed", metadata: ["jobs": "\(left)"])
        }
    }

    private func reclaimed(_ reclaim: JobReclaim) {
        metrics.recordReclaimed(queue.stream.topic, reclaim.deliveries.count)
        for delivery in reclaim.deliveries {
            logger.info("reclaimed a job from a dead or hung worker", metadata: ["entry": "\(delivery.entry.id)", "deliveries": "\(delivery.deliveryCount)"])
        }
        if !reclaim.deletedIDs.isEmpty {
            logger.error("pending jobs had lost their stream entries (trimmed or deleted); they cannot run", metadata: ["entries": "\(reclaim.deletedIDs)"])
        }
    }

    // MARK: - One job

    func process(_ delivery: JobDelivery, slots: InFlightJobs) async {
        defer { slots.give() }
        let topic = queue.stream.topic
        var logger = self.logger
        logger[metadataKey: "entry"] = "\(delivery.entry.id)"
        logger[metadataKey: "deliveries"] = "\(delivery.deliveryCount)"
        let queued: QueuedJob
        do {
            queued = try QueuedJob(entry: delivery.entry, deliveryCount: delivery.deliveryCount)
        } catch {
            await deadLetter(delivery, reason: DeadLetter.reason(DeadLetter.Reason.malformedEntry, detail: error.message), logger: logger)
            return
        }
        logger[metadataKey: "outbox_id"] = "\(queued.outboxID)"
        if delivery.deliveryCount > configuration.retry.maxDeliveries {
            await deadLetter(delivery, reason: DeadLetter.reason(DeadLetter.Reason.exhausted, detail: "reclaimed after \(delivery.deliveryCount - 1) deliveries without an answer"), logger: logger)
            return
        }
        let start = ContinuousClock.now
        do {
            try await handler.handle(queued, context: context(logger: logger))
            metrics.recordHandler(topic, .now - start)
        } catch let error as PipelineError where error.code == .invalidJob {
            metrics.recordHandler(topic, .now - start)
            await deadLetter(delivery, reason: DeadLetter.reason(DeadLetter.Reason.invalidJob, detail: error.message), logger: logger)
            return
        } catch {
            metrics.recordHandler(topic, .now - start)
            await failed(delivery, error: error, logger: logger)
            return
        }
        do {
            try await queue.ack([delivery.entry.id])
            metrics.recordOutcome(topic, "done")
            logger.debug("job done")
        } catch {
            // Done but still pending: it runs again after the reclaim idle time, which idempotent handlers allow.
            logger.warning("job done but XACK failed; it will be redelivered", metadata: ["error": "\(String(reflecting: error))"])
        }
    }

    private func failed(_ delivery: JobDelivery, error: any Error, logger: Logger) async {
        if Task.isCancelled {
            logger.notice("job cancelled at shutdown; left pending for another worker", metadata: ["error": "\(error)"])
            return
        }
        if configuration.retry.isExhausted(afterDelivery: delivery.deliveryCount) {
            await deadLetter(delivery, reason: DeadLetter.reason(DeadLetter.Reason.exhausted, detail: String(reflecting: error)), logger: logger)
            return
        }
        let delay = configuration.retry.delay(afterDelivery: delivery.deliveryCount)
        do {
            try await queue.park(delivery.entry.id)
            metrics.recordOutcome(queue.stream.topic, "retry")
            logger.warning("job failed; retrying after backoff", metadata: ["error": "\(String(reflecting: error))", "retry_in": "\(delay)"])
        } catch let parkError {
            logger.error(
                "job failed and could not be parked for retry; it will be reclaimed after the idle time",
                metadata: ["error": "\(String(reflecting: error))", "park_error": "\(String(reflecting: parkError))"])
        }
    }

    private func deadLetter(_ delivery: JobDelivery, reason: String, logger: Logger) async {
        do {
            try await queue.deadLetter(delivery, reason: reason)
            metrics.recordOutcome(queue.stream.topic, "dead_lettered")
            logger.error("job moved to the dead-letter stream", metadata: ["reason": "\(reason)", "dlq": "\(queue.stream.deadLetterKey)"])
        } catch {
            logger.error("could not dead-letter the job; it stays pending", metadata: ["reason": "\(reason)", "error": "\(String(reflecting: error))"])
        }
    }

    private func context(logger: Logger) -> JobContext {
        let redis = queue.redis
        let streamFor = self.streamFor
        return JobContext(logger: logger) { topic, payload, outboxID, shard in
            try await redis.xadd(streamFor(topic).key, fields: QueuedJob.fields(outboxID: outboxID, shard: shard, topic: topic, payload: payload))
        }
    }
}
