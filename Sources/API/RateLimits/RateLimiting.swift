import HTTPTypes
import Hummingbird
import Logging
import Metrics
import Runtime
import Storage

/// The service's rate limits: which requests spend from which allowance, and what a refusal or a Redis outage means.
///
/// Limits live in Redis (``RedisRateLimiter``), so they hold across every API process. When Redis cannot answer, the
/// login limits fail closed (503): a login needs Redis for its session anyway, and an unlimited login would be
/// unlimited bcrypt. The others fail open: signups, uploads and social writes keep working through a Redis outage,
/// as they do without limits; their CPU is still bounded by the bcrypt pool and the megapixel budget.
public struct RateLimiting: Sendable {
    public typealias Kind = RateLimitKind

    public var limiter: RedisRateLimiter?
    /// A kind without a limit is not limited.
    public var limits: [Kind: RateLimit]
    public var trustedProxies: TrustedProxies

    public init(limiter: RedisRateLimiter?, limits: [Kind: RateLimit], trustedProxies: TrustedProxies) {
        self.limiter = limiter
        self.limits = limits
        self.trustedProxies = trustedProxies
    }

    /// No limits at all (unit tests with in-memory stores).
    public static let unlimited = RateLimiting(limiter: nil, limits: [:], trustedProxies: .nobody)

    /// The client's address as a rate-limit key (see ``TrustedProxies``); `unknown` without a socket.
    public func clientAddress(_ request: Request, context: APIRequestContext) -> String {
        let forwarded = request.headers[values: HTTPField.Name("X-Forwarded-For")!]
        let peer = context.peerAddress.flatMap(IPAddress.init)
        return trustedProxies.clientAddress(peer: peer, forwardedFor: forwarded)?.description ?? "unknown"
    }

    /// Spends one request of each `(kind, key)` whose kind is limited; throws 429 `rate_limited` when any has no
    /// room (then none is spent), or 503 when Redis is down and a fail-closed kind is among them.
    public func check(_ checks: [(kind: Kind, key: String)], logger: Logger) async throws {
        let limited = checks.compactMap { check in limits[check.kind].map { (check.kind, check.key, $0) } }
        guard let limiter, !limited.isEmpty else { return }
        let decision: RateLimitDecision
        do {
            decision = try await limiter.take(limited.map { (key: "\($0.0.rawValue):\($0.1)", limit: $0.2) })
        } catch {
            let closed = limited.contains { $0.0.failsClosed }
            let names = limited.map(\.0.rawValue).joined(separator: ",")
            Counter(label: "darkroom_rate_limit_errors_total", dimensions: [("limits", names), ("outcome", closed ? "refused" : "allowed")]).increment()
            logger.warning("rate limits could not be checked", metadata: [
                "limits": "\(names)", "outcome": "\(closed ? "refused" : "allowed")", "error": "\(String(reflecting: error))",
            ])
            if closed { throw APIError(.unavailable, "a dependency is unavailable, retry later", retryAfter: ErrorMapping.dependencyRetryAfter) }
            return
        }
        guard !decision.allowed else { return }
        let (kind, _, limit) = limited[decision.limitedIndex ?? 0]
        Counter(label: "darkroom_rate_limited_total", dimensions: [("limit", kind.rawValue)]).increment()
        let wait = decision.retryAfter.components
        let seconds = max(1, Int(wait.seconds) + (wait.attoseconds > 0 ? 1 : 0))
        logger.notice("rate limited", metadata: ["limit": "\(kind.rawValue)", "retry_after": "\(seconds)"])
        throw APIError(
            .rateLimited, "too many requests, retry after \(seconds) s", retryAfter: seconds,
            headers: [
                (name: "RateLimit-Policy", value: "\"\(kind.rawValue)\";q=\(limit.count);w=\(limit.period.components.seconds)"),
                (name: "RateLimit", value: "\"\(kind.rawValue)\";r=\(decision.remaining);t=\(seconds)"),
            ])
    }

    /// The check of one per-user write (`upload`, `comment`, `like`, `follow`).
    public func check(_ kind: Kind, user: ShardedID, logger: Logger) async throws {
        try await check([(kind: kind, key: user.description)], logger: logger)
    }
}
