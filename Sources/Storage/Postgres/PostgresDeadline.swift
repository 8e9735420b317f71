import Logging
import NIOCore
import PostgresNIO
import Synchronization

/// A deadline around one pooled call. postgres-nio's lease waits for a connection without limit
/// (it honours cancellation) and a running statement ignores cancellation, so on expiry the call
/// is cancelled and, if it holds a connection, that connection is closed: the statement fails at
/// once, the pool replaces the connection, and the caller gets its answer on time.
enum PostgresDeadline {
    struct Expired: Error {
        var phase: StorageError.PostgresPhase
    }

    /// The body's (or the lease's) own error, with the phase it happened in.
    struct Failure: Error {
        var error: any Error
        var phase: StorageError.PostgresPhase
    }

    private enum Outcome<Value: Sendable>: Sendable {
        case finished(Value)
        case expired
    }

    /// - Parameters:
    ///   - timeout: the whole call's deadline.
    ///   - leaseTimeout: how long to wait for a connection (at most `timeout`).
    static func run<Result: Sendable>(
        client: PostgresClient,
        timeout: Duration,
        leaseTimeout: Duration,
        logger: Logger,
        _ body: @escaping @Sendable (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        let lease = LeaseTracker()
        return try await withThrowingTaskGroup(of: Outcome<Result>.self) { group in
            group.addTask {
                do {
                    return .finished(try await client.withConnection { connection in
                        guard lease.begin(connection) else { throw CancellationError() }
                        return try await body(connection)
                    })
                } catch {
                    throw Failure(error: error, phase: lease.phase)
                }
            }
            group.addTask {
                let leaseTimeout = min(leaseTimeout, timeout)
                try await Task.sleep(for: leaseTimeout)
                if leaseTimeout < timeout, lease.phase == .leased {
                    try await Task.sleep(for: timeout - leaseTimeout)
                }
                return .expired
            }
            // The first child to finish decides; leaving the group cancels the other one.
            guard let first = try await group.next() else {
                preconditionFailure("the deadline group always has two children")
            }
            switch first {
            case .finished(let value):
                group.cancelAll()
                return value
            case .expired:
                let phase = lease.expire()?.closing(logger: logger) ?? .leasing
                group.cancelAll()
                // The body's error after expiry (closed connection, cancelled lease) is only the
                // echo of this deadline; the group discards it when it is left by this throw.
                throw Expired(phase: phase)
            }
        }
    }
}

/// Tracks whether the call got a connection, so the deadline can close it and report the phase.
private final class LeaseTracker: Sendable {
    private enum State {
        case waiting
        case leased(PostgresConnection)
        case expired
    }
    private let state = Mutex<State>(.waiting)

    /// Called with the leased connection; false when the deadline already passed.
    func begin(_ connection: PostgresConnection) -> Bool {
        state.withLock { state in
            guard case .waiting = state else { return false }
            state = .leased(connection)
            return true
        }
    }

    var phase: StorageError.PostgresPhase {
        state.withLock { state in
            if case .leased = state { return .leased }
            return .leasing
        }
    }

    /// Marks the call expired; returns the connection it holds, if any.
    func expire() -> PostgresConnection? {
        state.withLock { state in
            defer { state = .expired }
            if case .leased(let connection) = state { return connection }
            return nil
        }
    }
}

extension PostgresConnection {
    /// Closes a connection whose call ran out of time; the pool notices and replaces it.
    fileprivate func closing(logger: Logger) -> StorageError.PostgresPhase {
        let future: EventLoopFuture<Void> = close()
        future.whenFailure { error in
            // Already closed by the server or the pool: nothing is lost, but say so.
            logger.debug("closing a timed-out PostgreSQL connection failed", metadata: ["error": "\(String(reflecting: error))"])
        }
        return .leased
    }
}
