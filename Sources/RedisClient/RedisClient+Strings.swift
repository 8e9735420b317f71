/// When SET writes.
public enum RedisSetCondition: Sendable, Hashable {
    case always
    /// `NX`: only when the key does not exist.
    case ifNotExists
    /// `XX`: only when the key exists.
    case ifExists
}

extension RedisCommand {
    public static func get(_ key: String) -> RedisCommand {
        RedisCommand("GET", key)
    }

    /// `SET key value [EX s | PX ms] [NX | XX]`; sub-second expiries use PX so they are not rounded away.
    public static func set(_ key: String, value: some RedisArgument, expiry: Duration? = nil, condition: RedisSetCondition = .always) -> RedisCommand {
        var command = RedisCommand("SET", key, value)
        if let expiry {
            let millis = expiry.redisMilliseconds
            if millis % 1000 == 0 {
                command.append("EX", millis / 1000)
            } else {
                command.append("PX", millis)
            }
        }
        switch condition {
        case .always: break
        case .ifNotExists: command.append("NX")
        case .ifExists: command.append("XX")
        }
        return command
    }

    public static func del(_ keys: [String]) -> RedisCommand {
        RedisCommand("DEL", keys)
    }

    public static func expire(_ key: String, after: Duration) -> RedisCommand {
        RedisCommand("PEXPIRE", key, after.redisMilliseconds)
    }

    public static func incr(_ key: String, by amount: Int64 = 1) -> RedisCommand {
        amount == 1 ? RedisCommand("INCR", key) : RedisCommand("INCRBY", key, amount)
    }
}

extension RedisClient {
    /// The value's bytes, or `nil` when the key does not exist.
    public func get(_ key: String) async throws -> [UInt8]? {
        try await send(.get(key)).bytes()
    }

    public func getString(_ key: String) async throws -> String? {
        try await send(.get(key)).string()
    }

    /// Writes `value`; returns `false` when a NX/XX condition prevented the write.
    @discardableResult
    public func set(_ key: String, value: some RedisArgument, expiry: Duration? = nil, condition: RedisSetCondition = .always) async throws -> Bool {
        let reply = try await send(.set(key, value: value, expiry: expiry, condition: condition))
        if reply.isNull { return false }
        try reply.expectOK()
        return true
    }

    /// Deletes keys; returns how many existed.
    @discardableResult
    public func del(_ keys: String...) async throws -> Int {
        try await del(keys)
    }

    @discardableResult
    public func del(_ keys: [String]) async throws -> Int {
        guard !keys.isEmpty else { return 0 }
        return Int(try await send(.del(keys)).int())
    }

    /// Sets a time to live; returns `false` when the key does not exist.
    @discardableResult
    public func expire(_ key: String, after: Duration) async throws -> Bool {
        try await send(.expire(key, after: after)).int() == 1
    }

    /// Increments and returns the new value.
    @discardableResult
    public func incr(_ key: String, by amount: Int64 = 1) async throws -> Int64 {
        try await send(.incr(key, by: amount)).int()
    }
}
