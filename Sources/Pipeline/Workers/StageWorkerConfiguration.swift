import Storage

/// How a ``StageWorker`` runs its stage.
public struct StageWorkerConfiguration: Sendable {
    /// Jobs handled at once by this worker.
    public var concurrency: Int = 4
    /// Backoff between deliveries of a failing job, and how many deliveries before the dead-letter stream.
    public var retry: RetryPolicy = RetryPolicy()
    /// A job pending this long belongs to a dead (or hung) worker and is taken over. Must exceed the slowest
    /// legitimate handler run, or a live worker's job runs twice at once.
    public var reclaimIdle: Duration = .seconds(60)
    /// How long one XREADGROUP waits for new jobs. The Redis client adds it to the socket timeout for that call,
    /// so it may exceed the command timeout; it is kept short because it is also how long shutdown may wait for the
    /// read in progress, and each waiting read holds one pooled connection.
    public var readBlock: Duration = .seconds(1)
    /// How often due retries and dead workers' jobs are looked for.
    public var maintenanceInterval: Duration = .milliseconds(500)
    /// How often queue depth and lag gauges are refreshed.
    public var depthInterval: Duration = .seconds(10)
    /// On graceful shutdown, how long jobs in flight may take to finish; the rest stay pending and are reclaimed.
    public var shutdownGrace: Duration = .seconds(10)

    public init() {}
}
