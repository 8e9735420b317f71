import RedisClient
import Crypto

/// Rate limits kept in Redis, so every process behind the load balancer spends from the same allowance.
///
/// GCRA in one Lua script (atomic on the server; it reads the server's clock, so process clocks do not matter). A
/// check names several keys (a login spends from its account's and its IP's allowance): it is allowed only when
/// every key has room, and then spends one from each; a refused request spends nothing.
public struct RedisRateLimiter: Sendable {
    public let redis: RedisClient
    /// Prefix of every key: `<prefix><name>`.
    public let keyPrefix: String

    public init(redis: RedisClient, keyPrefix: String = "darkroom:rl:") {
        self.redis = redis
        self.keyPrefix = keyPrefix
    }

    /// Spends one request from each key if all have room. Throws `StorageError` when Redis cannot answer; what
    /// that means (allow, refuse) is the caller's policy.
    public func take(_ checks: [(key: String, limit: RateLimit)]) async throws -> RateLimitDecision {
        guard !checks.isEmpty else { return RateLimitDecision(allowed: true, retryAfter: .zero, remaining: .max, limitedIndex: nil) }
        let keys = checks.map { keyPrefix + $0.key }
        let arguments = checks.flatMap { [String($0.limit.intervalMicroseconds), String($0.limit.toleranceMicroseconds)] }
        var reply = try await redis.sendReturningErrors(RedisCommand("EVALSHA", [Self.scriptSHA1, String(keys.count)] + keys + arguments))
        if reply.errorPrefix == "NOSCRIPT" {
            // The script cache is volatile (restart, failover, SCRIPT FLUSH): EVAL loads it again.
            reply = try await redis.sendReturningErrors(RedisCommand("EVAL", [Self.script, String(keys.count)] + keys + arguments))
        }
        let values = try reply.throwingError().elements().map { try $0.int() }
        guard values.count == 4 else { throw StorageError(.protocolError, "rate-limit script returned \(values.count) values") }
        let limited = values[0] == 1
        return RateLimitDecision(
            allowed: !limited, retryAfter: .microseconds(values[1]), remaining: Int(values[2]),
            limitedIndex: limited ? Int(values[3]) - 1 : nil)
    }

    /// ARGV holds T and τ (µs) for each key. Returns {limited, retry µs, remaining, 1-based index of a limited key}.
    static let script = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
        local limited, retry, remaining, which = 0, 0, -1, 0
        local tats = {}
        for i = 1, #KEYS do
          local interval = tonumber(ARGV[2 * i - 1])
          local tolerance = tonumber(ARGV[2 * i])
          local tat = tonumber(redis.call('GET', KEYS[i]) or now)
          if tat < now then tat = now end
          local new = tat + interval
          local allow_at = new - tolerance
          if allow_at > now then
            limited = 1
            if allow_at - now > retry then retry = allow_at - now; which = i end
            new = tat
          end
          tats[i] = new
          local left = math.floor((tolerance - (new - now)) / interval)
          if left < 0 then left = 0 end
          if remaining < 0 or left < remaining then remaining = left end
        end
        if limited == 0 then
          for i = 1, #KEYS do
            redis.call('SET', KEYS[i], string.format('%d', tats[i]), 'PX', math.max(1, math.ceil((tats[i] - now) / 1000)))
          end
        end
        return {limited, retry, remaining, which}
        """

    static let scriptSHA1: String = Insecure.SHA1.hash(data: Array(script.utf8)).map { byte in
        let hex = String(byte, radix: 16)
        return byte < 16 ? "0" + hex : hex
    }.joined()
}
