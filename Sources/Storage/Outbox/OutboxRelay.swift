import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import RedisClient

/// Publishes the outbox rows of one PostgreSQL server that nobody published (Redis was down, the process died
/// between commit and publish), and deletes published rows after the retention.
///
/// Each tick, in one transaction: lock up to `batchSize` due rows with `FOR UPDATE SKIP LOCKED` (so any number of
/// relays share the work without waiting on each other), XADD them, mark them published, commit. A failure rolls
/// back: the rows stay unpublished for the next tick. XADD succeeding and the commit failing publishes twice;
/// workers dedupe by outbox id. Run one per server per process; more processes are fine.
public struct OutboxRelay: Service, Sendable {
    public struct Configuration: Sendable {
        /// Rows younger than this are left to the publisher that wrote them.
        public var delay: Duration = .seconds(5)
        public var interval: Duration = .seconds(1)
        public var batchSize: Int = 500
        /// Published rows are deleted once this old.
        public var retention: Duration = .seconds(24 * 3600)
        /// How often the retention delete runs.
        public var retentionInterval: Duration = .seconds(60)

        public init() {}
    }

    public let server: Int
    public let postgres: ShardedPostgres
    public let redis: RedisClient
    public let configuration: Configuration
    /// Where each topic's jobs go (tests inject their own streams).
    public let streamKey: @Sendable (OutboxTopic) -> String
    let logger: Logger

    public init(
        server: Int, postgres: ShardedPostgres, redis: RedisClient, configuration: Configuration = .init(), logger: Logger,
        streamKey: @escaping @Sendable (OutboxTopic) -> String = { $0.streamKey }
    ) {
        self.server = server
        self.postgres = postgres
        self.redis = redis
        self.configuration = configuration
        self.streamKey = streamKey
        var logger = logger
        logger[metadataKey: "relay.server"] = "\(server)"
        self.logger = logger
    }

    public func run() async throws {
        var lastRetention = ContinuousClock.now - configuration.retentionInterval
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            var full = false
            do {
                let published = try await relayOnce()
                full = published == configuration.batchSize
                if published > 0 { logger.info("relayed unpublished outbox rows", metadata: ["rows": "\(published)"]) }
            } catch {
                logger.warning("outbox relay tick failed; rows stay for the next tick", metadata: ["error": "\(String(reflecting: error))"])
            }
            if ContinuousClock.now - lastRetention >= configuration.retentionInterval {
                lastRetention = .now
                do {
                    let deleted = try await deleteExpired()
                    if deleted > 0 { logger.debug("deleted published outbox rows past retention", metadata: ["rows": "\(deleted)"]) }
                } catch {
                    logger.warning("outbox retention delete failed; retried next interval", metadata: ["error": "\(String(reflecting: error))"])
                }
            }
            // A full batch means more are due: go again at once.
            if !full {
                do {
                    try await cancelWhenGracefulShutdown { try await Task.sleep(for: configuration.interval) }
                } catch {
                    break
                }
            }
        }
    }

    /// One batch: returns how many rows were published.
    @discardableResult
    public func relayOnce() async throws -> Int {
        let delayMs = Int64(configuration.delay.components.seconds * 1000 + configuration.delay.components.attoseconds / 1_000_000_000_000_000)
        let limit = configuration.batchSize
        let redis = self.redis
        let streamKey = self.streamKey
        let logger = self.logger
        return try await postgres.withTransaction(server: server, logger: logger) { connection in
            let rows = try await connection.query(
                """
                SELECT id, shard, topic, payload::text, created_at FROM public.outbox
                WHERE published_at IS NULL AND created_at < now() - make_interval(secs => \(Double(delayMs) / 1000))
                ORDER BY id LIMIT \(limit) FOR UPDATE SKIP LOCKED
                """,
                logger: logger
            ).collect()
            guard !rows.isEmpty else { return 0 }
            var ids: [Int64] = []
            var commands: [RedisCommand] = []
            for row in rows {
                let (id, shard, topic, payload, createdAt) = try row.decode((Int64, Int, String, String, Date).self)
                let outboxRow = OutboxRow(id: id, shard: shard, topic: OutboxTopic(rawValue: topic), payload: payload, createdAt: createdAt)
                ids.append(id)
                commands.append(.xadd(streamKey(outboxRow.topic), fields: OutboxPublisher.fields(of: outboxRow)))
            }
            for reply in try await redis.pipeline(commands) { _ = try reply.throwingError().requiredString() }
            try await connection.query(
                "UPDATE public.outbox SET published_at = now(), attempts = attempts + 1 WHERE id = ANY(\(ids))", logger: logger
            ).collect()
            return ids.count
        }
    }

    /// Deletes published rows older than the retention, in bounded batches; returns how many went.
    @discardableResult
    public func deleteExpired() async throws -> Int {
        let seconds = Double(configuration.retention.components.seconds)
        var total = 0
        while true {
            let rows = try await postgres.query(
                """
                DELETE FROM public.outbox WHERE id IN (
                    SELECT id FROM public.outbox WHERE published_at IS NOT NULL AND published_at < now() - make_interval(secs => \(seconds))
                    LIMIT 5000)
                RETURNING id
                """,
                server: server, logger: logger
            )
            total += rows.count
            if rows.count < 5000 { return total }
        }
    }
}
