import Foundation

/// Where and how the Redis client connects.
public struct RedisConfiguration: Sendable, Hashable {
    /// Host name or IP address. Default `127.0.0.1`.
    public var host: String
    /// TCP port. Default `6379`.
    public var port: Int
    /// ACL user name for `AUTH user password` (Redis 6+); `nil` sends `AUTH password`. Default `nil`.
    public var username: String?
    /// Password sent with AUTH right after connecting; `nil` skips AUTH. Default `nil`.
    public var password: String?
    /// Database selected right after connecting; 0 skips SELECT. Default `0`.
    public var database: Int
    /// Connections in the pool; each is one socket used by one thread at a time. Default `4`.
    public var poolSize: Int
    /// Limit for establishing TCP (`redisConnectWithTimeout`). Default 1 s.
    public var connectTimeout: Duration
    /// Socket read/write timeout for each command or pipeline (`redisSetTimeout`). Default 2 s.
    /// Blocking commands get their server block time on top, for that call only.
    public var commandTimeout: Duration
    /// How long a caller waits for a free pooled connection before failing with `.timeout`. Default 2 s.
    public var checkoutTimeout: Duration

    public init(
        host: String = "127.0.0.1",
        port: Int = 6379,
        username: String? = nil,
        password: String? = nil,
        database: Int = 0,
        poolSize: Int = 4,
        connectTimeout: Duration = .seconds(1),
        commandTimeout: Duration = .seconds(2),
        checkoutTimeout: Duration = .seconds(2)
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.poolSize = poolSize
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.checkoutTimeout = checkoutTimeout
    }

    /// Reads `redis://[[user]:password@]host[:port][/db]`. Percent-escapes in the user and password are decoded.
    ///
    /// `rediss://` is refused: hiredis 0.14 has no TLS.
    public init(url: String) throws(RedisError) {
        guard let components = URLComponents(string: url) else {
            throw RedisError(.invalidArgument, "not a URL: Redis URL could not be parsed")
        }
        guard components.scheme?.lowercased() == "redis" else {
            throw RedisError(.invalidArgument, "Redis URL scheme must be redis:// (got \(components.scheme ?? "none"))")
        }
        guard let host = components.host, !host.isEmpty else {
            throw RedisError(.invalidArgument, "Redis URL has no host")
        }
        var database = 0
        let path = components.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        if !path.isEmpty {
            guard let number = Int(path), number >= 0 else {
                throw RedisError(.invalidArgument, "Redis URL path must be a database number, got '\(path)'")
            }
            database = number
        }
        let user = components.user.flatMap { $0.isEmpty ? nil : $0 }
        let password = components.password.flatMap { $0.isEmpty ? nil : $0 }
        self.init(
            host: host,
            port: components.port ?? 6379,
            username: password == nil ? nil : user,
            // `redis://secret@host` (no colon) is a common spelling of a password-only URL.
            password: password ?? user,
            database: database
        )
    }

    /// Throws `.invalidArgument` for values hiredis or the pool cannot work with.
    public func validate() throws(RedisError) {
        guard (1...65535).contains(port) else { throw RedisError(.invalidArgument, "Redis port \(port) out of range") }
        guard poolSize >= 1 else { throw RedisError(.invalidArgument, "Redis pool size must be at least 1") }
        guard database >= 0 else { throw RedisError(.invalidArgument, "Redis database must not be negative") }
        for (name, value) in [("connect", connectTimeout), ("command", commandTimeout), ("checkout", checkoutTimeout)] {
            guard value > .zero else { throw RedisError(.invalidArgument, "Redis \(name) timeout must be positive") }
        }
    }
}

extension RedisConfiguration: CustomStringConvertible {
    /// Never shows the password.
    public var description: String {
        "redis://\(password == nil ? "" : "***@")\(host):\(port)/\(database) pool=\(poolSize)"
    }
}
