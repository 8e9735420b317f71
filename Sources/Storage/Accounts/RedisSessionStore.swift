import Logging
import RedisClient

/// Sessions in Redis (errors mapped to `StorageError`, as `SessionStore` promises): `session:<sha256 hex>` → the user id, with a TTL that every use pushes back (GETEX).
public struct RedisSessionStore: SessionStore {
    public let redis: RedisClient
    public let keyPrefix: String

    public init(redis: RedisClient, keyPrefix: String = "session:") {
        self.redis = redis
        self.keyPrefix = keyPrefix
    }

    public func key(for token: SessionToken) -> String { keyPrefix + token.digest }

    public func create(_ token: SessionToken, userID: ShardedID, ttl: Duration, logger: Logger) async throws {
        // NX: a 256-bit collision is not expected, but an overwrite would silently hand one user's session to another.
        let written = try await StorageError.mapping {
            try await redis.set(key(for: token), value: userID.description, expiry: ttl, condition: .ifNotExists)
        }
        guard written else { throw StorageError(.conflict, "session key already exists") }
    }

    public func resolve(_ token: SessionToken, ttl: Duration, logger: Logger) async throws -> ShardedID? {
        // GETEX reads and refreshes in one round trip, so a session cannot expire between the two.
        let millis = Int64(ttl.components.seconds) * 1000 + ttl.components.attoseconds / 1_000_000_000_000_000
        let reply = try await StorageError.mapping { try await redis.send(RedisCommand("GETEX", key(for: token), "PX", millis)) }
        guard let value = try await StorageError.mapping({ try reply.string() }) else { return nil }
        guard let id = ShardedID(string: value) else {
            throw StorageError(.protocolError, "session value is not a user id")
        }
        return id
    }

    @discardableResult
    public func revoke(_ token: SessionToken, logger: Logger) async throws -> Bool {
        try await StorageError.mapping { try await redis.del(key(for: token)) } == 1
    }
}
