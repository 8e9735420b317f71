import Foundation
import Logging
import Pipeline
import Storage
import Testing

/// A stage worker outlives a Redis restart. Stops the stack's Redis, so it runs alone in the fault phase.
@Suite(.serialized, .enabled(if: TestStack.faultTestsEnabled, "fault tests run alone in phase 2 of make test"))
struct StageWorkerFaultTests {
    @Test(.timeLimit(.minutes(3)))
    func aWorkerKeepsWorkingAfterRedisRestarts() async throws {
        try await QueueTestContext.with { context in
            let handler = TestJobHandler(topic: context.topic)
            try await whileRunning([context.worker(handler)]) { () async throws in
                try await context.publish(["{}"], firstOutboxID: 1)
                #expect(try await eventually { handler.calls.count == 1 })

                try await TestStack.stop(.redis)
                // The worker's reads fail for a while; it must neither crash nor stop.
                try await Task.sleep(for: .seconds(2))
                try await TestStack.start(.redis)

                try await context.publish(["{}"], firstOutboxID: 2)
                #expect(try await eventually(timeout: .seconds(60)) { handler.calls.map(\.outboxID).contains(2) })
                #expect(try await eventually { try await context.pendingCount() == 0 })
            }
            #expect(handler.calls.map(\.outboxID) == [1, 2], "each once: the group and its state survived the restart (AOF)")
        }
    }
}
