import Foundation
import Logging
import ServiceLifecycle
import RedisClient
import Storage

/// Runs the ``OrphanSweeper`` every `interval` in the worker processes (`darkroom serve`, `darkroom work`).
///
/// A sweep lists the whole bucket, so across all the processes one sweep per interval is enough: each tick first takes
/// a Redis lease (`SET NX PX interval`, one per bucket) and only the process that got it sweeps. A process that dies
/// mid-sweep holds the lease until it expires; the next interval's taker starts over, which is harmless. Redis down
/// means no sweep this tick, never a sweep by everyone.
public struct OrphanSweepService: Service, Sendable {
    public let sweeper: OrphanSweeper
    public let redis: RedisClient
    public let interval: Duration
    /// Per bucket: two deployments sharing a Redis never hold each other's sweeps back.
    public let leaseKey: String
    let owner: String
    let logger: Logger

    public init(sweeper: OrphanSweeper, redis: RedisClient, bucket: String, interval: Duration, owner: String, logger: Logger) {
        self.sweeper = sweeper
        self.redis = redis
        self.interval = interval
        self.leaseKey = "darkroom:sweep:lease:\(bucket)"
        self.owner = owner
        var logger = logger
        logger[metadataKey: "service"] = "orphan-sweeper"
        self.logger = logger
    }

    public func run() async throws {
        await Periodic.run(every: interval) { _ = await sweepIfLeased() }
    }

    /// One tick: the sweep's report, or nil when another process holds the lease (or Redis could not say).
    @discardableResult
    public func sweepIfLeased() async -> OrphanSweeper.Report? {
        do {
            guard try await redis.set(leaseKey, value: owner, expiry: interval, condition: .ifNotExists) else { return nil }
        } catch {
            logger.warning("could not take the sweep lease; no sweep this interval", metadata: ["error": "\(String(reflecting: error))"])
            return nil
        }
        let start = ContinuousClock.now
        do {
            let report = try await sweeper.sweep(dryRun: false, logger: logger)
            logger.info("orphan sweep done", metadata: [
                "scanned": "\(report.scanned)", "deleted": "\(report.deleted)", "kept": "\(report.kept)", "young": "\(report.young)",
                "undecided": "\(report.undecided)", "failed": "\(report.failed)", "duration": "\(ContinuousClock.now - start)",
            ])
            return report
        } catch {
            logger.warning("orphan sweep failed; tried again next interval", metadata: ["error": "\(String(reflecting: error))"])
            return nil
        }
    }
}
