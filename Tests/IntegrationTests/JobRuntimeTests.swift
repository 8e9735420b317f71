import Foundation
import Logging
import Pipeline
import PostgresNIO
import ServiceLifecycle
import Storage
import Synchronization
import Testing
import RedisClient

/// The stage worker and queue operations on the real Redis, each test on a stream of its own.
@Suite(.timeLimit(.minutes(2)))
struct JobRuntimeTests {
    @Test func aJobPublishedThroughTheOutboxIsHandledOnceAndAcknowledged() async throws {
        try await PostgresFixture.withStack { db in
            try await QueueTestContext.with { context in
                let topic = context.topic
                let rows = try await db.withTransaction(shard: 1) { connection, _ in
                    try await Outbox.insert([OutboxMessage(topic: topic, payload: #"{"n":1}"#)], shard: 1, on: connection, logger: QueueTestContext.logger)
                }
                try await OutboxPublisher(postgres: db, redis: context.redis).publish(rows, logger: QueueTestContext.logger)
                let handler = TestJobHandler(topic: topic)
                try await whileRunning([context.worker(handler)]) { () async throws in
                    #expect(try await eventually { handler.calls.count == 1 })
                    #expect(try await eventually { try await context.pendingCount() == 0 }, "acknowledged")
                    // More reads and maintenance passes go by: nothing is delivered again.
                    try await Task.sleep(for: .milliseconds(600))
                }
                let call = try #require(handler.calls.first)
                #expect(handler.calls.count == 1)
                #expect(call.outboxID == rows[0].id)
                #expect(call.payload == #"{"n": 1}"# || call.payload == #"{"n":1}"#)
                #expect(call.deliveryCount == 1)
                let published = try await db.query("SELECT published_at IS NOT NULL FROM public.outbox WHERE id = \(rows[0].id)", server: db.server(forShard: 1))
                #expect(try published.first?.decode(Bool.self) == true)
            }
        }
    }

    @Test func aFailingJobIsRetriedWithGrowingDelaysUntilItSucceeds() async throws {
        try await QueueTestContext.with { context in
            let handler = TestJobHandler(topic: context.topic) { job in
                if job.deliveryCount < 4 { throw TestJobFailure() }
            }
            let policy = RetryPolicy(maxDeliveries: 5, baseDelay: .milliseconds(150), maximumDelay: .seconds(5))
            try await context.publish(["{}"])
            try await whileRunning([context.worker(handler) { $0.retry = policy }]) { () async throws in
                #expect(try await eventually { try await context.pendingCount() == 0 && handler.calls.count == 4 })
            }
            let calls = handler.calls
            #expect(calls.map(\.deliveryCount) == [1, 2, 3, 4])
            for index in 1..<calls.count {
                let gap = calls[index].at - calls[index - 1].at
                let backoff = policy.delay(afterDelivery: calls[index - 1].deliveryCount)
                #expect(gap >= backoff, "delivery \(index + 1) came \(gap) after the previous one; the backoff is \(backoff)")
            }
            #expect(try await DeadLetterQueue(redis: context.redis, stream: context.stream).count() == 0)
        }
    }

    @Test func aPoisonJobIsDeadLetteredAfterMaxDeliveriesWhileOthersFlowThenRetriedAndDropped() async throws {
        try await QueueTestContext.with { context in
            let cured = Mutex(false)
            let done = Tally()
            let handler = TestJobHandler(topic: context.topic) { job in
                if job.payload == #"{"poison":true}"# && !cured.withLock({ $0 }) { throw TestJobFailure() }
                if job.payload == #"{"invalid":true}"# { throw PipelineError(.invalidJob, "never decodes") }
                done.add(job.outboxID)
            }
            let dlq = DeadLetterQueue(redis: context.redis, stream: context.stream)
            try await whileRunning([context.worker(handler) { $0.retry = RetryPolicy(maxDeliveries: 3, baseDelay: .milliseconds(50), maximumDelay: .milliseconds(200)) }]) { () async throws in
                try await context.publish([#"{"poison":true}"#], firstOutboxID: 1000)
                try await context.publish((1...20).map { #"{"good":\#($0)}"# }, firstOutboxID: 1)
                #expect(try await eventually { done.snapshot.count == 20 }, "the other jobs keep flowing")
                #expect(try await eventually { try await dlq.count() == 1 })
                let letter = try #require(try await dlq.list().first)
                #expect(letter.outboxID == 1000)
                #expect(letter.deliveryCount == 3)
                #expect(letter.reason.hasPrefix(DeadLetter.Reason.exhausted))
                #expect(handler.calls(outboxID: 1000).map(\.deliveryCount) == [1, 2, 3])
                #expect(try await eventually { try await context.pendingCount() == 0 }, "dead-lettered means acknowledged")

                // Retry: back on the stream as a new entry; it now succeeds.
                cured.withLock { $0 = true }
                #expect(try await dlq.retry(ids: [letter.id]) == [letter.id])
                #expect(try await dlq.count() == 0)
                #expect(try await eventually { done.snapshot[1000] == 1 })
                #expect(handler.calls(outboxID: 1000).last?.deliveryCount == 1, "a retried dead letter starts counting again")

                // An invalid job goes at once; drop removes it.
                try await context.publish([#"{"invalid":true}"#], firstOutboxID: 2000)
                #expect(try await eventually { try await dlq.count() == 1 })
                let invalid = try #require(try await dlq.list().first)
                #expect(invalid.reason.hasPrefix(DeadLetter.Reason.invalidJob))
                #expect(invalid.deliveryCount == 1)
                #expect(handler.calls(outboxID: 2000).count == 1)
                #expect(try await dlq.drop(ids: [invalid.id]) == 1)
                #expect(try await dlq.count() == 0)
            }
            #expect(done.snapshot.values.allSatisfy { $0 == 1 }, "every good job ran once")
        }
    }

    @Test func anEntryWithoutOutboxFieldsIsDeadLetteredUnrun() async throws {
        try await QueueTestContext.with { context in
            let handler = TestJobHandler(topic: context.topic)
            try await context.redis.xadd(context.stream.key, fields: [("garbage", Array("1".utf8))])
            let dlq = DeadLetterQueue(redis: context.redis, stream: context.stream)
            try await whileRunning([context.worker(handler)]) { () async throws in
                #expect(try await eventually { try await dlq.count() == 1 })
            }
            #expect(handler.calls.isEmpty)
            #expect(try await dlq.list().first?.reason.hasPrefix(DeadLetter.Reason.malformedEntry) == true)
        }
    }

    @Test func aJobOfADeadConsumerIsReclaimedByAnotherAfterTheIdleTime() async throws {
        try await QueueTestContext.with { context in
            let consumerA = context.queue("consumer-a")
            try await consumerA.ensureGroup()
            try await context.publish(["{}"], firstOutboxID: 7)
            let taken = try await consumerA.readNew(count: 10, block: .milliseconds(100))
            #expect(taken.count == 1)
            // A "dies" here: it never acknowledges.
            let handler = TestJobHandler(topic: context.topic)
            try await whileRunning([context.worker(handler, consumer: "consumer-b") { $0.reclaimIdle = .milliseconds(500) }]) { () async throws in
                #expect(try await eventually { try await context.pendingCount() == 0 })
            }
            #expect(handler.calls.map(\.outboxID) == [7])
            #expect(handler.calls.first?.deliveryCount == 2)
        }
    }

    @Test func aRestartedConsumerTakesBackItsOwnPendingJobsFirst() async throws {
        try await QueueTestContext.with { context in
            let before = context.queue("stable-name")
            try await before.ensureGroup()
            try await context.publish(["{}", "{}"], firstOutboxID: 1)
            #expect(try await before.readNew(count: 10, block: .milliseconds(100)).count == 2)
            let handler = TestJobHandler(topic: context.topic)
            // The reclaim idle time is far away: only the re-read of its own pending entries (ID 0) can find them.
            try await whileRunning([context.worker(handler, consumer: "stable-name") { $0.reclaimIdle = .seconds(3600) }]) { () async throws in
                #expect(try await eventually { try await context.pendingCount() == 0 })
            }
            #expect(Set(handler.calls.map(\.outboxID)) == [1, 2])
        }
    }

    @Test func trimmingNeverDropsPendingOrUndeliveredEntries() async throws {
        try await QueueTestContext.with(createGroup: false) { context in
            let queue = context.queue("trim-reader")
            #expect(try await queue.trim(approximate: false) == nil, "no group yet: nothing may go")
            try await queue.ensureGroup()
            let ids = try await context.publish((1...10).map { #"{"n":\#($0)}"# })
            let read = try await queue.readNew(count: 5, block: .milliseconds(100))
            try await queue.ack(read.prefix(2).map(\.entry.id))

            // Pending: 3, 4, 5; undelivered: 6...10. Exact trimming (approximate only ever trims less).
            let threshold = try await queue.trim(approximate: false)
            #expect(threshold == StreamEntryID(ids[2]))
            let left = try await context.redis.xrange(context.stream.key).map(\.id)
            #expect(left == Array(ids[2...]))
            let claim = try await queue.reclaim(minIdle: .zero, count: 100)
            #expect(claim.deletedIDs.isEmpty, "every pending entry still has its payload")
            #expect(claim.deliveries.map(\.entry.id) == Array(ids[2..<5]))

            // Everything acknowledged: the undelivered tail still stays.
            try await queue.ack(Array(ids[2..<5]))
            #expect(try await queue.trim(approximate: false) == StreamEntryID(ids[4])!.successor)
            #expect(try await context.redis.xrange(context.stream.key).map(\.id) == Array(ids[5...]))
            #expect(try await queue.readNew(count: 10, block: .milliseconds(100)).count == 5)
        }
    }

    /// A job that finishes within the grace is acknowledged; one that outlives it stays pending for another worker.
    @Test(arguments: [
        (job: Duration.milliseconds(800), grace: Duration.seconds(20), pending: 0),
        (job: Duration.seconds(60), grace: Duration.milliseconds(200), pending: 1),
    ])
    func gracefulShutdownFinishesWhatFitsTheGraceAndLeavesTheRestPending(_ timing: (job: Duration, grace: Duration, pending: Int)) async throws {
        try await QueueTestContext.with { context in
            let handler = TestJobHandler(topic: context.topic) { _ in try await Task.sleep(for: timing.job) }
            let worker = context.worker(handler) { $0.shutdownGrace = timing.grace }
            let group = ServiceGroup(configuration: .init(services: [worker], logger: QueueTestContext.logger))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                try await context.publish(["{}"])
                #expect(try await eventually { handler.calls.count == 1 })
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
            #expect(try await context.pendingCount() == timing.pending)
            #expect(try await DeadLetterQueue(redis: context.redis, stream: context.stream).count() == 0)
        }
    }

    @Test func followUpJobsAreAppendedToTheirTopicsStream() async throws {
        try await QueueTestContext.with { context in
            let handler = TestJobHandler(topic: context.topic)
            let chained = Mutex(false)
            let topic = context.topic
            let enqueuing = TestJobHandlerWithContext(topic: topic) { job, jobContext in
                handler.record(job)
                if !chained.withLock({ let was = $0; $0 = true; return was }) {
                    try await jobContext.enqueue(topic, #"{"cursor":"2"}"#, job.outboxID, job.shard)
                }
            }
            try await context.publish(["{}"], firstOutboxID: 55)
            let worker = StageWorker(handler: enqueuing, queue: context.queue("chain"), logger: QueueTestContext.logger)
            try await whileRunning([worker]) { () async throws in
                #expect(try await eventually { handler.calls.count == 2 })
            }
            #expect(handler.calls.map(\.outboxID) == [55, 55], "the follow-up carries the idempotency key")
            #expect(handler.calls.last?.payload == #"{"cursor":"2"}"#)
        }
    }

    @Test func idleConsumersHoldingNothingAreRemoved() async throws {
        try await QueueTestContext.with { context in
            try await context.publish(["{}", "{}"])
            let done = context.queue("done-consumer")
            let holding = context.queue("holding-consumer")
            let first = try await done.readNew(count: 1, block: .milliseconds(100))
            try await done.ack(first.map(\.entry.id))
            #expect(try await holding.readNew(count: 1, block: .milliseconds(100)).count == 1)
            let removed = try await context.queue("janitor").removeIdleConsumers(idle: .zero)
            #expect(removed == ["done-consumer"], "a consumer holding a job keeps it")
            #expect(try await context.pendingCount() == 1)
        }
    }

    /// Not a timing assertion: prints the runtime's throughput with a no-op handler for the report.
    @Test func throughputWithANoOpHandler() async throws {
        try await QueueTestContext.with { context in
            let jobs = 5000
            let commands = (0..<jobs).map { index in
                RedisCommand.xadd(context.stream.key, fields: QueuedJob.fields(outboxID: Int64(index), shard: 0, topic: context.topic, payload: "{}"))
            }
            for chunk in stride(from: 0, to: jobs, by: 500) {
                _ = try await context.redis.pipeline(Array(commands[chunk..<min(jobs, chunk + 500)]))
            }
            let done = Tally()
            let handler = TestJobHandler(topic: context.topic) { done.add($0.outboxID) }
            let start = ContinuousClock.now
            try await whileRunning([context.worker(handler) { $0.concurrency = 32 }]) { () async throws in
                let finished = try await eventually(timeout: .seconds(120)) {
                    guard done.snapshot.count == jobs else { return false }
                    return try await context.pendingCount() == 0
                }
                #expect(finished)
            }
            let elapsed = ContinuousClock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            #expect(done.snapshot.values.allSatisfy { $0 == 1 })
            print("stage worker: \(jobs) no-op jobs at concurrency 32 in \(String(format: "%.2f", seconds)) s = \(Int(Double(jobs) / seconds)) jobs/s")
        }
    }
}

/// A handler that uses its context (follow-up jobs).
struct TestJobHandlerWithContext: JobHandler {
    let topic: OutboxTopic
    let body: @Sendable (Job, JobContext) async throws -> Void
    func handle(_ job: Job, context: JobContext) async throws { try await body(job, context) }
}
