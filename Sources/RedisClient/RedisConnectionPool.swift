import Logging

/// A small fixed-size pool of ``RedisConnection``s with a FIFO of waiters.
///
/// The actor only does bookkeeping; connections are used (and connect) on `NIOThreadPool.singleton`
/// by whoever holds the lease. Connections are created unconnected and lazily, so checking out never blocks.
actor RedisConnectionPool {
    /// Exclusive use of one connection between `checkout` and `checkin`.
    ///
    /// `@unchecked Sendable` because the connection is not thread-safe: the pool guarantees a single
    /// holder, and the holder uses it from one pool thread at a time.
    struct Lease: @unchecked Sendable {
        let connection: RedisConnection
    }

    private enum Reservation: Sendable {
        case ready(Lease)
        case wait(ticket: Int)
    }

    /// A waiter's state. The ticket exists before its continuation does, so a timeout that fires early
    /// (or a connection freed early) is recorded rather than lost.
    private enum Ticket {
        case registered
        case parked(CheckedContinuation<Lease, any Error>)
        case served(Lease)
        case failed(any Error)
    }

    private let configuration: RedisConfiguration
    private let logger: Logger
    private var idle: [RedisConnection] = []
    private var created = 0
    private var leased = 0
    private var tickets: [Int: Ticket] = [:]
    private var ticketOrder: [Int] = []
    private var nextTicket = 0
    private var isClosed = false
    private var drainWaiters: [CheckedContinuation<Void, Never>] = []

    init(configuration: RedisConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// A free connection, waiting up to `checkoutTimeout` for one. Fails with `.timeout` when none frees up
    /// in time, `.unavailable` after `close()`, `CancellationError` when the caller is cancelled.
    func checkout() async throws -> Lease {
        switch try reserve() {
        case .ready(let lease):
            return lease
        case .wait(let ticket):
            let timeout = configuration.checkoutTimeout
            return try await withThrowingTaskGroup(of: Lease?.self) { group in
                group.addTask { try await self.wait(ticket: ticket) }
                group.addTask {
                    let reason: any Error
                    do {
                        try await Task.sleep(for: timeout)
                        reason = RedisError(.timeout, "no Redis connection became free within \(timeout)")
                    } catch {
                        // Cancelled: either the waiter was served (then expiring is a no-op) or the caller gave up.
                        reason = error
                    }
                    await self.expire(ticket: ticket, reason: reason)
                    return nil
                }
                while let result = try await group.next() {
                    if let lease = result {
                        group.cancelAll()
                        return lease
                    }
                }
                throw RedisError(.unavailable, "Redis pool waiter ended without a connection")
            }
        }
    }

    /// Returns a connection. After `close()` the connection comes back to the caller to be freed off the actor.
    func checkin(_ lease: Lease) -> Lease? {
        leased -= 1
        if isClosed {
            if leased == 0 { resumeDrainWaiters() }
            return lease
        }
        while let ticket = ticketOrder.first {
            ticketOrder.removeFirst()
            switch tickets[ticket] {
            case .registered:
                tickets[ticket] = .served(lease)
                leased += 1
                return nil
            case .parked(let continuation):
                tickets[ticket] = nil
                leased += 1
                continuation.resume(returning: lease)
                return nil
            case .served, .failed, nil:
                continue
            }
        }
        idle.append(lease.connection)
        return nil
    }

    /// Stops handing out connections, fails all waiters, waits for leased connections to come back, and
    /// returns the idle ones for the caller to free off the actor.
    func close() async -> [Lease] {
        isClosed = true
        let closed = RedisError(.unavailable, "Redis client is closed")
        for ticket in ticketOrder {
            if case .parked(let continuation) = tickets[ticket] {
                tickets[ticket] = nil
                continuation.resume(throwing: closed)
            } else if case .registered = tickets[ticket] {
                tickets[ticket] = .failed(closed)
            }
        }
        ticketOrder.removeAll()
        let free = idle.map(Lease.init)
        idle.removeAll()
        if leased > 0 {
            await withCheckedContinuation { drainWaiters.append($0) }
        }
        return free
    }

    // MARK: - Waiters

    private func reserve() throws -> Reservation {
        guard !isClosed else { throw RedisError(.unavailable, "Redis client is closed") }
        if let connection = idle.popLast() {
            leased += 1
            return .ready(Lease(connection: connection))
        }
        if created < configuration.poolSize {
            created += 1
            leased += 1
            return .ready(Lease(connection: RedisConnection(configuration: configuration, logger: logger)))
        }
        let ticket = nextTicket
        nextTicket += 1
        tickets[ticket] = .registered
        ticketOrder.append(ticket)
        return .wait(ticket: ticket)
    }

    private func wait(ticket: Int) async throws -> Lease {
        switch tickets[ticket] {
        case .served(let lease):
            tickets[ticket] = nil
            return lease
        case .failed(let error):
            tickets[ticket] = nil
            throw error
        case .registered:
            return try await withCheckedThrowingContinuation { continuation in
                tickets[ticket] = .parked(continuation)
            }
        case .parked, nil:
            throw RedisError(.unavailable, "Redis pool ticket \(ticket) waited on twice")
        }
    }

    private func expire(ticket: Int, reason: any Error) {
        switch tickets[ticket] {
        case .registered:
            tickets[ticket] = .failed(reason)
        case .parked(let continuation):
            tickets[ticket] = nil
            continuation.resume(throwing: reason)
        case .served, .failed, nil:
            break
        }
    }

    private func resumeDrainWaiters() {
        let waiters = drainWaiters
        drainWaiters.removeAll()
        for waiter in waiters { waiter.resume() }
    }
}
