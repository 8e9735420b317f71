import Foundation
import Logging
import Pipeline
import Storage
import Synchronization
import Testing
import RedisClient

/// A stage of its own for one test: a unique topic, hence unique stream, group and dead-letter keys.
struct QueueTestContext {
    let redis: RedisClient
    let stream: JobStream
    var topic: OutboxTopic { stream.topic }
    static let logger = Logger(label: "test.queue")

    static func with<T: Sendable>(poolSize: Int = 8, createGroup: Bool = true, _ body: (QueueTestContext) async throws -> T) async throws -> T {
        let redis = try RedisTestContext.make(poolSize: poolSize).client
        let topic = OutboxTopic(rawValue: "test-" + UUID().uuidString.lowercased().prefix(12))
        let context = QueueTestContext(redis: redis, stream: JobStream(topic: topic))
        let result: Result<T, any Error>
        do {
            if createGroup { try await context.queue("setup").ensureGroup() }
            result = .success(try await body(context))
        } catch {
            result = .failure(error)
        }
        _ = try? await redis.del([context.stream.key, context.stream.deadLetterKey])
        await redis.close()
        return try result.get()
    }

    func queue(_ consumer: String) -> JobQueue { JobQueue(redis: redis, stream: stream, consumer: consumer) }

    /// XADDs jobs straight to the stream (as the publisher would), outbox ids `first...`; returns the entry ids.
    @discardableResult
    func publish(_ payloads: [String], firstOutboxID: Int64 = 1) async throws -> [String] {
        var ids: [String] = []
        for (offset, payload) in payloads.enumerated() {
            ids.append(try await redis.xadd(stream.key, fields: QueuedJob.fields(outboxID: firstOutboxID + Int64(offset), shard: 0, topic: topic, payload: payload)))
        }
        return ids
    }

    func worker(
        _ handler: TestJobHandler, consumer: String = "worker-\(UUID().uuidString.prefix(8))", _ configure: (inout StageWorkerConfiguration) -> Void = { _ in }
    ) -> StageWorker {
        var configuration = StageWorkerConfiguration()
        configuration.readBlock = .milliseconds(200)
        configuration.maintenanceInterval = .milliseconds(50)
        configure(&configuration)
        return StageWorker(handler: handler, queue: queue(consumer), configuration: configuration, logger: Self.logger)
    }

    func pendingCount() async throws -> Int { try await redis.xpendingSummary(stream.key, group: stream.group).count }
}

/// Runs services (workers) while `body` runs, then cancels them.
func whileRunning<T: Sendable>(_ workers: [StageWorker], _ body: () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: Void.self) { group in
        for worker in workers { group.addTask { try await worker.run() } }
        defer { group.cancelAll() }
        return try await body()
    }
}

/// Polls `condition` until it holds or `timeout` passes; returns whether it held.
func eventually(timeout: Duration = .seconds(30), every interval: Duration = .milliseconds(50), _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: interval)
    }
    return try await condition()
}

/// A handler whose behaviour the test chooses; records every call.
final class TestJobHandler: JobHandler {
    struct Call: Sendable {
        var outboxID: Int64
        var payload: String
        var deliveryCount: Int
        var at: ContinuousClock.Instant
    }

    let topic: OutboxTopic
    private let behaviour: @Sendable (Job) async throws -> Void
    private let log = Mutex<[Call]>([])

    init(topic: OutboxTopic, _ behaviour: @escaping @Sendable (Job) async throws -> Void = { _ in }) {
        self.topic = topic
        self.behaviour = behaviour
    }

    func handle(_ job: Job, context: JobContext) async throws {
        record(job)
        try await behaviour(job)
    }

    func record(_ job: Job) {
        log.withLock { $0.append(Call(outboxID: job.outboxID, payload: job.payload, deliveryCount: job.deliveryCount, at: .now)) }
    }

    var calls: [Call] { log.withLock { $0 } }
    func calls(outboxID: Int64) -> [Call] { calls.filter { $0.outboxID == outboxID } }
}

struct TestJobFailure: Error {}

/// Counts successes per outbox id (calls that returned).
final class Tally: Sendable {
    private let counts = Mutex<[Int64: Int]>([:])
    func add(_ id: Int64) { counts.withLock { $0[id, default: 0] += 1 } }
    var snapshot: [Int64: Int] { counts.withLock { $0 } }
}
