import Logging

/// Keeps sessions working through a short Redis outage: every session resolved (or created) in the last
/// `staleLimit` is remembered in-process, and only when the store is *unavailable* is that memory used instead.
///
/// While Redis answers, it alone decides (a revoked session is refused at once). During an outage a session seen
/// by this process within `staleLimit` still authenticates, so uploads keep flowing (their jobs wait in the
/// outbox); a session not seen recently gets the store's error (503), never a 401. The cost: a session revoked on
/// another process during the outage stays usable here for at most `staleLimit`.
public struct StaleIfErrorSessionStore: SessionStore {
    public let store: any SessionStore
    public let memory: SessionMemory

    public init(_ store: any SessionStore, staleLimit: Duration = .seconds(300), capacity: Int = 100_000) {
        self.store = store
        self.memory = SessionMemory(staleLimit: staleLimit, capacity: capacity)
    }

    public func create(_ token: SessionToken, userID: ShardedID, ttl: Duration, logger: Logger) async throws {
        try await store.create(token, userID: userID, ttl: ttl, logger: logger)
        await memory.remember(token.digest, userID: userID)
    }

    public func resolve(_ token: SessionToken, ttl: Duration, logger: Logger) async throws -> ShardedID? {
        do {
            let userID = try await store.resolve(token, ttl: ttl, logger: logger)
            if let userID {
                await memory.remember(token.digest, userID: userID)
            } else {
                await memory.forget(token.digest)
            }
            return userID
        } catch let error as StorageError where error.code == .unavailable || error.code == .timeout {
            guard let userID = await memory.recall(token.digest) else { throw error }
            logger.warning("session store unavailable; using a recently seen session", metadata: ["user.id": "\(userID)"])
            return userID
        }
    }

    @discardableResult
    public func revoke(_ token: SessionToken, logger: Logger) async throws -> Bool {
        await memory.forget(token.digest)
        return try await store.revoke(token, logger: logger)
    }
}

/// Recently seen sessions (token digest → user), bounded in age and count.
public actor SessionMemory {
    private var entries: [String: (userID: ShardedID, seen: ContinuousClock.Instant)] = [:]
    private let staleLimit: Duration
    private let capacity: Int

    init(staleLimit: Duration, capacity: Int) {
        self.staleLimit = staleLimit
        self.capacity = capacity
    }

    func remember(_ digest: String, userID: ShardedID) {
        let now = ContinuousClock.now
        entries[digest] = (userID, now)
        if entries.count > capacity {
            entries = entries.filter { now - $0.value.seen < staleLimit }
            // Still full of fresh entries: start over rather than grow; the cost is only a fallback lost.
            if entries.count > capacity { entries = [digest: (userID, now)] }
        }
    }

    func recall(_ digest: String) -> ShardedID? {
        guard let entry = entries[digest], ContinuousClock.now - entry.seen < staleLimit else { return nil }
        return entry.userID
    }

    func forget(_ digest: String) {
        entries[digest] = nil
    }

    public var count: Int { entries.count }
}
