/// One run of an operation per key at a time: a caller asking for a key already in flight waits for that run's
/// result instead of starting its own; once the run ends the key is free again, so a failure reaches that run's
/// waiters and is never remembered as a result.
///
/// Meant for on-demand variants (issue 13): `run(variant) { render from the original, store create-only }`, keyed by
/// (media id, width, format), so a hundred requests for one missing variant render it once per process. Across
/// processes the edge's `proxy_cache_lock` collapses a stampede to one origin request, and the create-only PUT
/// (`If-None-Match: *`) of a deterministic key makes a rare second render harmless. Not wired yet: rendering is
/// moving into worker processes, and the variant route should call that pool, not the in-process engine.
actor SingleFlight<Key: Hashable & Sendable, Value: Sendable> {
    private var inFlight: [Key: Task<Value, any Error>] = [:]
    /// Callers that joined a run already in flight, since creation (tests watch it).
    private(set) var joinedCount = 0

    init() {}

    /// The key's run in flight, or a new one. The run is not cancelled when a caller is: other callers may be
    /// waiting for it, and the work (a stored variant) is useful to the next request anyway.
    func run(_ key: Key, _ operation: @escaping @Sendable () async throws -> Value) async throws -> Value {
        if let running = inFlight[key] {
            joinedCount += 1
            return try await running.value
        }
        let task = Task { try await operation() }
        inFlight[key] = task
        defer { inFlight[key] = nil }
        return try await task.value
    }

    /// Keys with a run in flight (tests).
    var runningCount: Int { inFlight.count }
}
