import Logging
import NIOCore
import PostgresNIO
import Synchronization

/// A deadline around one pooled call.
///
/// postgres-nio's lease waits for a connection without limit (it honours cancellation), a running
/// statement ignores cancellation, and a statement sent on a connection that has just closed may
/// never complete (postgres-nio#501). So the call runs in its own task and races a timer: on
/// expiry the caller gets its answer at once; if the call holds a connection, that connection is
/// closed so the statement fails and the pool replaces it, and the call's task winds down alone.
enum PostgresDeadline {
    struct Expired: Error {
        var phase: StorageError.PostgresPhase
    }

    /// The pool leased a connection that is already closed.
    struct StaleConnection: Error, CustomStringConvertible {
        var description: String { "the pool leased a closed connection" }
    }

    /// The body's (or the lease's) own error, with the phase it happened in.
    struct Failure: Error {
        var error: any Error
        var phase: StorageError.PostgresPhase
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
        let lease = LeaseTracker(logger: logger)
        let race = Race<Result>()
        let worker = Task {
            do {
                var staleLeases = 0
                while true {
                    do {
                        let value = try await client.withConnection { connection in
                            // The pool can hand out a connection the server closed a moment ago,
                            // before it noticed; nothing was sent on it yet, so take another.
                            if connection.isClosed { throw StaleConnection() }
                            guard lease.begin(connection) else { throw CancellationError() }
                            defer { lease.end() }
                            return try await body(connection)
                        }
                        race.finish(.success(value))
                        return
                    } catch let error as StaleConnection where staleLeases < 3 {
                        staleLeases += 1
                        logger.debug("leased a closed PostgreSQL connection; leasing again", metadata: ["error": "\(error)"])
                        try await Task.sleep(for: .milliseconds(5 * staleLeases))
                    }
                }
            } catch {
                race.finish(.failure(Failure(error: error, phase: lease.phase)))
            }
        }
        let timer = Task {
            let leaseTimeout = min(leaseTimeout, timeout)
            do {
                try await Task.sleep(for: leaseTimeout)
                if leaseTimeout < timeout, lease.phase == .leased {
                    try await Task.sleep(for: timeout - leaseTimeout)
                }
            } catch {
                return   // cancelled: the call finished first
            }
            let phase = lease.expire()
            if race.finish(.failure(Expired(phase: phase))) {
                worker.cancel()
            }
        }
        defer { timer.cancel() }
        return try await withTaskCancellationHandler {
            try await race.value()
        } onCancel: {
            // Stops a lease that is still waiting; a running statement ends by itself or at the deadline.
            worker.cancel()
        }
    }

    /// BEGIN … COMMIT around `body`, ROLLBACK when it throws — but never a statement on a closed
    /// connection (it could hang, see above); the server rolls back a dropped session itself.
    static func transaction<Result: Sendable>(
        on connection: PostgresConnection,
        logger: Logger,
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        _ = try await connection.query("BEGIN", logger: logger).collect()
        let value: Result
        do {
            value = try await body(connection)
        } catch {
            if !connection.isClosed {
                do {
                    _ = try await connection.query("ROLLBACK", logger: logger).collect()
                } catch let rollbackError {
                    // The body's error is the one to report; the failed rollback is only logged.
                    logger.warning("ROLLBACK failed", metadata: ["error": "\(String(reflecting: rollbackError))"])
                }
            }
            throw error
        }
        _ = try await connection.query("COMMIT", logger: logger).collect()
        return value
    }
}

/// One-shot result shared by the call's task and its timer: the first `finish` wins.
private final class Race<Value: Sendable>: Sendable {
    private enum State {
        case pending
        case waiting(CheckedContinuation<Value, any Error>)
        case finished(Result<Value, any Error>)
        case delivered
    }
    private let state = Mutex<State>(.pending)

    /// Returns false when the race was already decided.
    @discardableResult
    func finish(_ result: Result<Value, any Error>) -> Bool {
        let (won, continuation): (Bool, CheckedContinuation<Value, any Error>?) = state.withLock { state in
            switch state {
            case .pending:
                state = .finished(result)
                return (true, nil)
            case .waiting(let continuation):
                state = .delivered
                return (true, continuation)
            case .finished, .delivered:
                return (false, nil)
            }
        }
        continuation?.resume(with: result)
        return won
    }

    func value() async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            let ready: Result<Value, any Error>? = state.withLock { state in
                switch state {
                case .pending:
                    state = .waiting(continuation)
                    return nil
                case .finished(let result):
                    state = .delivered
                    return result
                case .waiting, .delivered:
                    preconditionFailure("a deadline race is awaited once")
                }
            }
            if let ready { continuation.resume(with: ready) }
        }
    }
}

/// Tracks the call's connection so the deadline can close it — only while the call still holds
/// it: `end()` and `expire()` exclude each other, so a connection already back in the pool (and
/// maybe leased by another call) is never closed.
private final class LeaseTracker: Sendable {
    private enum State {
        case waiting
        case leased(PostgresConnection)
        case ended
        case expired
    }
    private let state = Mutex<State>(.waiting)
    private let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    /// Called with the leased connection; false when the deadline already passed.
    func begin(_ connection: PostgresConnection) -> Bool {
        state.withLock { state in
            guard case .waiting = state else { return false }
            state = .leased(connection)
            return true
        }
    }

    /// Called before the connection goes back to the pool.
    func end() {
        state.withLock { state in
            if case .leased = state { state = .ended }
        }
    }

    var phase: StorageError.PostgresPhase {
        state.withLock { state in
            switch state {
            case .waiting: .leasing
            case .leased, .ended: .leased
            case .expired: .leasing
            }
        }
    }

    /// Marks the call expired and closes the connection it still holds; returns the phase it was in.
    func expire() -> StorageError.PostgresPhase {
        let logger = logger
        return state.withLock { state in
            defer { state = .expired }
            switch state {
            case .waiting, .expired:
                return .leasing
            case .ended:
                return .leased
            case .leased(let connection):
                // close() only schedules the close on the event loop, so it is fine under the lock,
                // and under the lock the connection cannot have been released yet.
                let closing: EventLoopFuture<Void> = connection.close()
                closing.whenFailure { error in
                    logger.debug("closing a timed-out PostgreSQL connection failed", metadata: ["error": "\(String(reflecting: error))"])
                }
                return .leased
            }
        }
    }
}
