import Logging
import ServiceLifecycle
import Storage
import RedisClient

/// Trims stage streams periodically with `MINID ~` below what every group still needs (never MAXLEN, which drops
/// jobs not yet acknowledged). One per process is enough; several are harmless.
public struct StreamTrimmer: Service, Sendable {
    public let redis: RedisClient
    public let streams: [JobStream]
    public let interval: Duration
    /// Consumers holding nothing and unseen this long are removed from the group (each process start adds one).
    public let consumerExpiry: Duration
    let logger: Logger

    public init(redis: RedisClient, streams: [JobStream], interval: Duration = .seconds(60), consumerExpiry: Duration = .seconds(24 * 3600), logger: Logger) {
        self.redis = redis
        self.streams = streams
        self.interval = interval
        self.consumerExpiry = consumerExpiry
        self.logger = logger
    }

    public func run() async throws {
        await Periodic.run(every: interval) { await trimAll() }
    }

    public func trimAll() async {
        for stream in streams {
            do {
                let queue = JobQueue(redis: redis, stream: stream, consumer: "trimmer")
                let threshold = try await queue.trim()
                logger.debug("trimmed stream", metadata: ["stream": "\(stream.key)", "minid": "\(threshold.map(\.description) ?? "none")"])
                if threshold != nil {
                    let removed = try await queue.removeIdleConsumers(idle: consumerExpiry)
                    if !removed.isEmpty { logger.info("removed idle consumers", metadata: ["stream": "\(stream.key)", "consumers": "\(removed)"]) }
                }
            } catch {
                logger.warning("trimming a stream failed; tried again next interval", metadata: ["stream": "\(stream.key)", "error": "\(String(reflecting: error))"])
            }
        }
    }
}
