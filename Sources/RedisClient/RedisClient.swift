import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// The Redis client: a small pool of blocking hiredis connections whose calls all run on the client's own threads
/// (one per connection), never on an actor, the cooperative pool or the threads other blocking work shares.
///
/// Use it as a ServiceLifecycle `Service` (``run()`` waits for shutdown, then closes) or call
/// ``close()`` yourself. Typed commands live in the `RedisClient+*.swift` extensions.
///
/// ```swift
/// let redis = try RedisClient(configuration: RedisConfiguration(url: "redis://127.0.0.1:6390"), logger: logger)
/// try await redis.set("session:42", value: token, expiry: .seconds(3600))
/// let replies = try await redis.pipeline([RedisCommand("INCR", "a"), RedisCommand("GET", "b")])
/// ```
///
/// Errors are `RedisError`: `.unavailable` (cannot connect, I/O failure, EOF, client closed), `.timeout`
/// (no answer within the command timeout, or no free connection within the checkout timeout),
/// `.commandFailed` (an error reply where a value was expected), `.accessDenied` (NOAUTH, WRONGPASS),
/// `.protocolError` (a reply of an unexpected shape). A connection that failed is replaced on its next use;
/// the failed command is not retried, since Redis may have executed it.
///
/// Threads: every command occupies one of the client's threads for its round trip (and for the whole BLOCK of a
/// blocking read). There is one thread per pooled connection, so a caller holding a connection never waits for a
/// thread, and nothing else (bcrypt, libvips) can take them: the pool size bounds both. A client is
/// bounded as a whole by its checkout timeout.
public final class RedisClient: Sendable, Service {
    public let configuration: RedisConfiguration
    private let pool: RedisConnectionPool
    private let threadPool: NIOThreadPool
    private let logger: Logger

    public init(configuration: RedisConfiguration, logger: Logger = Logger(label: "darkroom.redis")) throws(RedisError) {
        try configuration.validate()
        self.configuration = configuration
        self.logger = logger
        let threads = NIOThreadPool(numberOfThreads: configuration.poolSize)
        threads.start()
        self.threadPool = threads
        self.pool = RedisConnectionPool(configuration: configuration, logger: logger)
    }

    deinit {
        // A client dropped without close() (tests, tools) still gives its threads back.
        threadPool.shutdownGracefully { _ in }
    }

    /// Waits for graceful shutdown (or cancellation), then closes the client.
    public func run() async throws {
        do {
            try await gracefulShutdown()
        } catch is CancellationError {
            // Cancellation is how a ServiceGroup stops a service: same outcome as a graceful shutdown.
        }
        await close()
    }

    /// Fails queued callers, waits for in-flight commands to finish (bounded by the command timeout),
    /// and frees every hiredis context. Later calls fail with `.unavailable`.
    public func close() async {
        let leases = await pool.close()
        for lease in leases { await free(lease) }
        try? await threadPool.shutdownGracefully()
    }

    // MARK: - Sending

    /// Sends one command. An error reply throws (`.commandFailed`, or `.accessDenied` for NOAUTH/WRONGPASS).
    @discardableResult
    public func send(_ command: RedisCommand) async throws -> RedisReply {
        try await pipeline([command])[0].throwingError()
    }

    /// Sends one command and returns its reply, error replies included, as a value.
    public func sendReturningErrors(_ command: RedisCommand) async throws -> RedisReply {
        try await pipeline([command])[0]
    }

    /// Sends all commands in one round trip on one connection; replies come back in order.
    /// Error replies are values (`.error`); only connection failures throw.
    public func pipeline(_ commands: [RedisCommand]) async throws -> [RedisReply] {
        guard !commands.isEmpty else { return [] }
        return try await withConnection { connection in try connection.pipeline(commands) }
    }

    /// `PING`; for readiness checks.
    public func ping() async throws {
        let reply = try await send(RedisCommand("PING"))
        guard case .status("PONG") = reply else { throw reply.unexpected("PONG") }
    }

    // MARK: - Connections

    private func withConnection<T: Sendable>(
        _ body: @escaping @Sendable (RedisConnection) throws -> T
    ) async throws -> T {
        let lease = try await pool.checkout()
        let result: Result<T, any Error>
        do {
            result = .success(try await threadPool.runIfActive { try body(lease.connection) })
        } catch is NIOThreadPoolError.ThreadPoolInactive {
            result = .failure(RedisError(.unavailable, "NIO thread pool is shut down"))
        } catch {
            result = .failure(error)
        }
        if let closed = await pool.checkin(lease) { await free(closed) }
        return try result.get()
    }

    private func free(_ lease: RedisConnectionPool.Lease) async {
        do {
            try await threadPool.runIfActive { lease.connection.close() }
        } catch {
            // The thread pool is gone (process exit) or we were cancelled: redisFree only closes a socket,
            // so doing it here is still bounded.
            logger.debug("freeing Redis connection inline", metadata: ["error": "\(error)"])
            lease.connection.close()
        }
    }
}
