import Synchronization

/// Which authors are above the celebrity threshold, remembered for a short while: every feed read needs the answer
/// for everyone the reader follows, and asking each of their shards on every read dominated its cost.
///
/// Shared mutable state, hence a class behind a Mutex (no actor: the critical sections are tiny and synchronous).
/// Staleness is bounded by `ttl`: an author who just crossed the threshold keeps being treated the old way that long
/// (their new post reaches readers up to `ttl` late, never twice: the read path dedupes by id).
public final class CelebrityCache: Sendable {
    public let ttl: Duration
    private let maxEntries: Int
    private let entries = Mutex<[ShardedID: (isCelebrity: Bool, expires: ContinuousClock.Instant)]>([:])

    public init(ttl: Duration = .seconds(30), maxEntries: Int = 100_000) {
        self.ttl = ttl
        self.maxEntries = maxEntries
    }

    /// The known answers for `authors`, and the authors still to look up.
    public func lookup(_ authors: [ShardedID]) -> (celebrities: [ShardedID], unknown: [ShardedID]) {
        let now = ContinuousClock.now
        return entries.withLock { entries in
            var celebrities: [ShardedID] = []
            var unknown: [ShardedID] = []
            for author in authors {
                if let entry = entries[author], entry.expires > now {
                    if entry.isCelebrity { celebrities.append(author) }
                } else {
                    unknown.append(author)
                }
            }
            return (celebrities, unknown)
        }
    }

    public func remember(checked: [ShardedID], celebrities: Set<ShardedID>) {
        let expires = ContinuousClock.now + ttl
        entries.withLock { entries in
            // Crude bound: start over rather than track recency; the next reads refill what is hot.
            if entries.count + checked.count > maxEntries { entries.removeAll(keepingCapacity: true) }
            for author in checked { entries[author] = (celebrities.contains(author), expires) }
        }
    }
}
