/// Tuning of the fan-out-on-write feeds.
public struct FeedConfiguration: Sendable, Hashable {
    /// Entries kept per user feed (the oldest are trimmed).
    public var cap: Int
    /// Followers written per `feed` job; a chunk enqueues the next.
    public var chunkSize: Int
    /// Authors with more followers than this are not fanned out; readers merge their media at read time.
    public var celebrityThreshold: Int64
    /// How many of the target's recent media a follow brings into the follower's feed.
    public var followBackfill: Int

    public init(cap: Int = 800, chunkSize: Int = 10_000, celebrityThreshold: Int64 = 100_000, followBackfill: Int = 50) {
        self.cap = cap
        self.chunkSize = chunkSize
        self.celebrityThreshold = celebrityThreshold
        self.followBackfill = followBackfill
    }
}
