/// When and how long to wait before trying an S3 request again: AWS SDK "standard" mode
/// (max 3 attempts, full-jitter exponential backoff capped at 20 s), with a configurable base so
/// tests stay fast. The decision is a pure function of what the last attempt produced.
public struct S3RetryPolicy: Sendable, Hashable {
    /// Attempts in total, including the first. Default 3.
    public var maxAttempts: Int
    /// Backoff base: attempt n waits up to `base * 2^(n-1)`. Default 100 ms (AWS uses 1 s).
    public var baseDelay: Duration
    /// Cap on the backoff before jitter. Default 20 s.
    public var maxBackoff: Duration

    public init(maxAttempts: Int = 3, baseDelay: Duration = .milliseconds(100), maxBackoff: Duration = .seconds(20)) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxBackoff = maxBackoff
    }

    /// What one attempt produced, reduced to what the decision needs.
    public enum Outcome: Hashable, Sendable {
        /// The server answered with `status` and, for errors, the S3 `<Code>`.
        case response(status: Int, code: String?)
        /// No answer: refused, reset, closed before the response ended.
        case connectionFailed
        /// No answer before the attempt's deadline.
        case timedOut
        /// A local failure (bad URL, body too large, cancellation): retrying cannot help.
        case localFailure
    }

    /// S3 error codes that mean "slow down" or "try later", whatever the status.
    /// From botocore `retries/standard.py` (throttling + transient error codes).
    public static let retryableCodes: Set<String> = [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
        "TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
        "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled",
        "SlowDown", "EC2ThrottledException", "PriorRequestNotComplete",
        "RequestTimeout", "RequestTimeoutException",
    ]

    /// Statuses retried whatever the code says: SeaweedFS throttles with a bare 503
    /// (`ErrTooManyRequest`), so the status must decide, not only the code.
    public static let retryableStatuses: Set<Int> = [500, 502, 503, 504]

    /// Whether `outcome` is worth another attempt (ignoring the attempt budget).
    public static func isRetryable(_ outcome: Outcome) -> Bool {
        switch outcome {
        case .connectionFailed, .timedOut:
            return true
        case .localFailure:
            return false
        case .response(let status, let code):
            if status < 400 { return false }
            if retryableStatuses.contains(status) { return true }
            if let code, retryableCodes.contains(code) { return true }
            // 429 is throttling by definition, even from a gateway that sends no S3 code.
            return status == 429
        }
    }

    /// Whether to try again after attempt number `attempt` (1-based) ended with `outcome`.
    public func shouldRetry(after outcome: Outcome, attempt: Int) -> Bool {
        attempt < maxAttempts && Self.isRetryable(outcome)
    }

    /// Full jitter: `random * min(base * 2^(attempt-1), maxBackoff)`, `random` in [0, 1).
    public func delay(afterAttempt attempt: Int, random: Double) -> Duration {
        let exponent = min(max(attempt - 1, 0), 30)
        let ceiling = min(baseDelay * (1 << exponent), maxBackoff)
        return ceiling * min(max(random, 0), 1)
    }
}
