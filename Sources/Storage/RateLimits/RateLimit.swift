/// One rate limit: `count` requests per `period`, GCRA style. A fresh key may spend all `count` at once (the burst);
/// after that one more request is allowed every `period / count`. Nothing drips: the state is one timestamp per key.
public struct RateLimit: Sendable, Hashable, CustomStringConvertible {
    public var count: Int
    public var period: Duration

    public init(count: Int, period: Duration) {
        precondition(count >= 1 && period > .zero, "a rate limit needs a positive count and period")
        self.count = count
        self.period = period
    }

    /// The emission interval T = period / count, in microseconds (at least 1).
    var intervalMicroseconds: Int64 {
        let (seconds, attoseconds) = period.components
        return max(1, (seconds * 1_000_000 + attoseconds / 1_000_000_000_000) / Int64(count))
    }

    /// The burst tolerance τ = count · T: how far ahead of now the theoretical arrival time may run.
    var toleranceMicroseconds: Int64 { intervalMicroseconds * Int64(count) }

    public var description: String { "\(count)/\(period)" }
}

/// What a rate-limit check decided for all its keys together.
public struct RateLimitDecision: Sendable, Hashable {
    /// True when every key had room; then each key spent one request. When false, none did.
    public var allowed: Bool
    /// When limited: the wait until a retry would be allowed (for the most constrained key); zero otherwise.
    public var retryAfter: Duration
    /// Requests still allowed at once after this one, for the most constrained key.
    public var remaining: Int
    /// When limited: the index (in the keys checked) of a key that had no room.
    public var limitedIndex: Int?
}
