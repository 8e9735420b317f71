import Metrics
import NIOPosix
import ServiceLifecycle
import Synchronization

/// Dedicated threads for one kind of blocking work (bcrypt), with a bounded queue: once `threads + queueLimit` jobs
/// are admitted, the next is refused at once (``Saturated``, a 503 with Retry-After) instead of waiting behind a burst.
/// Its own threads, so a burst of this work never holds the threads other blocking work (Redis, libvips) runs on.
///
/// A `Service`: it stops its threads on graceful shutdown.
public final class BoundedThreadPool: Service, Sendable {
    /// Every thread busy and the queue full.
    public struct Saturated: Error, Sendable {
        public var pool: String
    }

    public let name: String
    public let threads: Int
    public let queueLimit: Int
    private let pool: NIOThreadPool
    private let admitted = Atomic<Int>(0)

    public init(name: String, threads: Int, queueLimit: Int) {
        precondition(threads >= 1 && queueLimit >= 0)
        self.name = name
        self.threads = threads
        self.queueLimit = queueLimit
        self.pool = NIOThreadPool(numberOfThreads: threads)
        pool.start()
    }

    deinit {
        pool.shutdownGracefully { _ in }
    }

    /// Jobs running or queued now.
    public var inFlight: Int { admitted.load(ordering: .relaxed) }

    /// Runs `body` on one of the pool's threads, or throws ``Saturated`` without waiting.
    public func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        guard admitted.add(1, ordering: .relaxed).newValue <= threads + queueLimit else {
            admitted.subtract(1, ordering: .relaxed)
            Counter(label: "darkroom_blocking_pool_refused_total", dimensions: [("pool", name)]).increment()
            throw Saturated(pool: name)
        }
        defer { admitted.subtract(1, ordering: .relaxed) }
        return try await pool.runIfActive(body)
    }

    public func run() async throws {
        try? await gracefulShutdown()
        try await pool.shutdownGracefully()
    }
}
