/// How often and how late a failing job is tried again.
///
/// After delivery `n` fails, the job waits `base · 2^(n-1)`, capped at `maximumDelay`, before delivery `n+1`.
/// Delivery `maxDeliveries` failing sends it to the dead-letter stream.
public struct RetryPolicy: Sendable, Hashable {
    public var maxDeliveries: Int
    public var baseDelay: Duration
    public var maximumDelay: Duration

    public init(maxDeliveries: Int = 5, baseDelay: Duration = .seconds(1), maximumDelay: Duration = .seconds(60)) {
        self.maxDeliveries = max(1, maxDeliveries)
        self.baseDelay = baseDelay
        self.maximumDelay = max(baseDelay, maximumDelay)
    }

    /// The wait after delivery `delivery` (1-based) failed.
    public func delay(afterDelivery delivery: Int) -> Duration {
        let exponent = max(0, delivery - 1)
        // 2^exponent overflows long before any sane cap; stop doubling once past it.
        var delay = baseDelay
        for _ in 0..<min(exponent, 62) {
            delay = delay * 2
            if delay >= maximumDelay { return maximumDelay }
        }
        return min(delay, maximumDelay)
    }

    /// Whether a job that failed on delivery `delivery` has used up its tries.
    public func isExhausted(afterDelivery delivery: Int) -> Bool {
        delivery >= maxDeliveries
    }
}
