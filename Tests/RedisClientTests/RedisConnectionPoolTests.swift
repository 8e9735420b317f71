import Logging
import Testing

@testable import RedisClient

/// Pool bookkeeping only: connections are created unconnected, so no server is involved.
@Suite(.timeLimit(.minutes(1)))
struct RedisConnectionPoolTests {
    private func makePool(size: Int, checkoutTimeout: Duration = .seconds(30)) -> RedisConnectionPool {
        RedisConnectionPool(
            configuration: RedisConfiguration(poolSize: size, checkoutTimeout: checkoutTimeout),
            logger: Logger(label: "test.redis.pool")
        )
    }

    @Test func handsOutAtMostPoolSizeDistinctConnections() async throws {
        let pool = makePool(size: 2)
        let first = try await pool.checkout()
        let second = try await pool.checkout()
        #expect(first.connection !== second.connection)
        #expect(await pool.checkin(first) == nil)
        let third = try await pool.checkout()
        #expect(third.connection === first.connection, "a returned connection is reused, not a new one made")
        _ = await pool.checkin(second)
        _ = await pool.checkin(third)
    }

    @Test func waiterGetsTheNextReturnedConnection() async throws {
        let pool = makePool(size: 1)
        let held = try await pool.checkout()
        async let waiting = pool.checkout()
        // The waiter cannot be served before the checkin below, whenever it registers.
        #expect(await pool.checkin(held) == nil)
        let served = try await waiting
        #expect(served.connection === held.connection)
        _ = await pool.checkin(served)
    }

    @Test func waiterTimesOutWhenNothingIsReturned() async throws {
        let pool = makePool(size: 1, checkoutTimeout: .milliseconds(50))
        let held = try await pool.checkout()
        do {
            _ = try await pool.checkout()
            Issue.record("expected a checkout timeout")
        } catch let error as RedisError {
            #expect(error.code == .timeout)
        }
        // The expired waiter must not swallow the connection returned afterwards.
        _ = await pool.checkin(held)
        let again = try await pool.checkout()
        #expect(again.connection === held.connection)
        _ = await pool.checkin(again)
    }

    @Test func cancelledWaiterLeavesThePoolUsable() async throws {
        let pool = makePool(size: 1)
        let held = try await pool.checkout()
        let waiter = Task { try await pool.checkout() }
        waiter.cancel()
        await #expect(throws: CancellationError.self) { _ = try await waiter.value }
        _ = await pool.checkin(held)
        let again = try await pool.checkout()
        _ = await pool.checkin(again)
    }

    @Test func closeReturnsIdleConnectionsForFreeing() async throws {
        let pool = makePool(size: 2)
        let lease = try await pool.checkout()
        _ = await pool.checkin(lease)
        let freed = await pool.close()
        #expect(freed.count == 1)
        #expect(freed.first?.connection === lease.connection)
        await #expect(throws: RedisError.self) { _ = try await pool.checkout() }
    }

    @Test func closeFailsWaitersAndWaitsForLeasedConnections() async throws {
        let pool = makePool(size: 1)
        let held = try await pool.checkout()
        let waiter = Task { try await pool.checkout() }
        let closing = Task { await pool.close() }
        // Whether the waiter registered before close() or not, it ends with `.unavailable`, and only once
        // close() has begun.
        do {
            _ = try await waiter.value
            Issue.record("a waiter must not be served after close()")
        } catch let error as RedisError {
            #expect(error.code == .unavailable)
        }
        // close() is still waiting for this lease; it comes back to be freed instead of being reused.
        #expect(await pool.checkin(held)?.connection === held.connection)
        #expect(await closing.value.isEmpty)
    }
}
