import RedisClient
/// Per-user feeds in Redis: one sorted set per user, capped, newest first.
///
/// Encoding (sound for every 64-bit id): every member has score 0 and is the media id as a *20-digit zero-padded*
/// decimal string. Members of equal score sort lexicographically, and equal-length digit strings sort like the
/// numbers, i.e. by time (ids are time-ordered). So the set's order is exactly the id order, with no precision loss
/// (a double score cannot hold a 64-bit id) and no ties; pages are `ZRANGE ... BYLEX REV` from the cursor, and the cap
/// is kept with `ZREMRANGEBYRANK` (the lowest ranks are the oldest).
///
/// A *sentinel* member `~` (sorts above every digit string) marks a feed as complete. A feed without it was lost
/// (Redis restarted without its data, the key was deleted or evicted) or only ever received fan-out writes: the read
/// path rebuilds it from PostgreSQL (``rebuild(user:mediaIDs:)``), which is idempotent like every write here.
public struct FeedStore: Sendable {
    public let redis: RedisClient
    public let cap: Int

    static let sentinel = "~"

    public init(redis: RedisClient, cap: Int = FeedConfiguration().cap) {
        self.redis = redis
        self.cap = cap
    }

    public static func key(of user: ShardedID) -> String { "darkroom:feed:\(user)" }

    public static func member(_ id: ShardedID) -> String {
        let digits = id.description
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits
    }

    /// Fan-out: adds `mediaID` to every user's feed and trims each to the cap, all in one pipeline. Idempotent
    /// (a member is added once however often the job runs).
    public func add(_ mediaID: ShardedID, to users: [ShardedID]) async throws {
        guard !users.isEmpty else { return }
        let member = Self.member(mediaID)
        var commands: [RedisCommand] = []
        commands.reserveCapacity(users.count * 2)
        for user in users {
            let key = Self.key(of: user)
            commands.append(RedisCommand("ZADD", key, 0, member))
            commands.append(trim(key))
        }
        try await run(commands)
    }

    /// Adds several media to one user's feed (a follow's backfill), trimmed to the cap.
    public func add(_ mediaIDs: [ShardedID], toFeedOf user: ShardedID) async throws {
        guard !mediaIDs.isEmpty else { return }
        let key = Self.key(of: user)
        var zadd = RedisCommand("ZADD", key)
        for id in mediaIDs { zadd.append(0, Self.member(id)) }
        try await run([zadd, trim(key)])
    }

    /// Removes one media from the feeds of `followers` (the cleanup stage calls it for deleted media, with the
    /// owner's follower list). Pipelined; removing what is not there is a no-op.
    public func remove(mediaID: ShardedID, from followers: [ShardedID]) async throws {
        guard !followers.isEmpty else { return }
        let member = Self.member(mediaID)
        try await run(followers.map { RedisCommand("ZREM", Self.key(of: $0), member) })
    }

    /// Removes several media from one feed (an unfollow).
    public func remove(_ mediaIDs: [ShardedID], fromFeedOf user: ShardedID) async throws {
        guard !mediaIDs.isEmpty else { return }
        try await run([RedisCommand("ZREM", [Self.key(of: user)] + mediaIDs.map(Self.member))])
    }

    /// Ids below `before`, newest first, at most `limit`; nil when the feed is not complete (rebuild it first).
    public func page(of user: ShardedID, before: ShardedID?, limit: Int) async throws -> [ShardedID]? {
        let key = Self.key(of: user)
        let upper = before.map { "(" + Self.member($0) } ?? "(" + Self.sentinel
        let replies = try await redis.pipeline([
            RedisCommand("ZSCORE", key, Self.sentinel),
            RedisCommand("ZRANGE", key, upper, "-", "BYLEX", "REV", "LIMIT", 0, limit),
        ])
        guard try replies[0].throwingError().double() != nil else { return nil }
        return try replies[1].throwingError().strings().compactMap { ShardedID(string: $0) }
    }

    /// The oldest id still in the feed (what an unfollow has to look back to).
    public func oldest(of user: ShardedID) async throws -> ShardedID? {
        try await redis.zrange(Self.key(of: user), start: 0, stop: 0).first.flatMap { ShardedID(string: $0) }
    }

    /// All ids in the feed, newest first (tests and diagnostics).
    public func entries(of user: ShardedID) async throws -> [ShardedID] {
        try await redis.zrange(Self.key(of: user), start: 0, stop: -1, reverse: true).compactMap { ShardedID(string: $0) }
    }

    /// Writes the feed from PostgreSQL's view (the followed users' recent media) and marks it complete. Merges with
    /// whatever fan-out wrote meanwhile: both are unions of the same truth.
    public func rebuild(user: ShardedID, mediaIDs: [ShardedID]) async throws {
        let key = Self.key(of: user)
        var zadd = RedisCommand("ZADD", key, 0, Self.sentinel)
        for id in mediaIDs.prefix(cap) { zadd.append(0, Self.member(id)) }
        try await run([zadd, trim(key)])
    }

    /// Keeps the `cap` newest ids and the sentinel (the highest member).
    private func trim(_ key: String) -> RedisCommand {
        RedisCommand("ZREMRANGEBYRANK", key, 0, -(cap + 2))
    }

    private func run(_ commands: [RedisCommand]) async throws {
        for reply in try await redis.pipeline(commands) { _ = try reply.throwingError() }
    }
}
