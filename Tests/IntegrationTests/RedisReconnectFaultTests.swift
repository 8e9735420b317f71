import RedisClient
import Foundation
import Storage
import Testing

/// Stops and restarts the stack's Redis, so it runs alone in the fault phase (`DARKROOM_FAULT_TESTS=1`).
@Suite(.serialized, .enabled(if: TestStack.faultTestsEnabled, "fault tests run alone in phase 2 of make test"))
struct RedisReconnectFaultTests {
    @Test(.timeLimit(.minutes(2)))
    func clientReconnectsAfterTheServerRestarts() async throws {
        try await RedisTestContext.with(poolSize: 4) { redis in
            let client = redis.client
            let key = redis.key("survivor")
            // Open every pooled connection, so stale idle sockets are part of what is tested.
            try await withThrowingDiscardingTaskGroup { group in
                for _ in 0..<16 { group.addTask { try await client.incr(key) } }
            }
            #expect(try await client.getString(key) == "16")

            try await TestStack.withStopped(.redis) {
                do {
                    try await client.ping()
                    Issue.record("ping must fail while Redis is stopped")
                } catch let error as RedisError {
                    #expect(error.code == .unavailable)
                }
                // Every connection's next use fails the same way, not with a hang or a crash.
                for _ in 0..<5 {
                    await #expect(throws: RedisError.self) { try await client.incr(key) }
                }
            }

            // Same client: the next call succeeds, and every pooled connection works again.
            try await client.ping()
            try await withThrowingDiscardingTaskGroup { group in
                for _ in 0..<16 { group.addTask { try await client.incr(key) } }
            }
            // The stack runs Redis with AOF, so the counter survived the restart.
            #expect(try await client.getString(key) == "32")
        }
    }
}
