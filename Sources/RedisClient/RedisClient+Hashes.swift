extension RedisCommand {
    public static func hset(_ key: String, fields: [(String, [UInt8])]) -> RedisCommand {
        var command = RedisCommand("HSET", key)
        for (field, value) in fields { command.append(field, value) }
        return command
    }

    public static func hget(_ key: String, field: String) -> RedisCommand {
        RedisCommand("HGET", key, field)
    }

    public static func hgetall(_ key: String) -> RedisCommand {
        RedisCommand("HGETALL", key)
    }

    public static func hdel(_ key: String, fields: [String]) -> RedisCommand {
        RedisCommand("HDEL", [key] + fields)
    }

    public static func hincrby(_ key: String, field: String, by amount: Int64) -> RedisCommand {
        RedisCommand("HINCRBY", key, field, amount)
    }
}

extension RedisReply {
    /// A flat `[field, value, field, value, ...]` array (HGETALL, stream entry fields) as pairs, in order.
    public func fieldValuePairs() throws(RedisError) -> [(String, [UInt8])] {
        let elements = try elements()
        guard elements.count % 2 == 0 else { throw unexpected("field/value pairs") }
        var pairs: [(String, [UInt8])] = []
        pairs.reserveCapacity(elements.count / 2)
        var index = 0
        while index < elements.count {
            pairs.append((try elements[index].requiredString(), try elements[index + 1].bytes() ?? []))
            index += 2
        }
        return pairs
    }
}

extension RedisClient {
    /// Sets fields; returns how many were new.
    @discardableResult
    public func hset(_ key: String, fields: [(String, [UInt8])]) async throws -> Int {
        guard !fields.isEmpty else { return 0 }
        return Int(try await send(.hset(key, fields: fields)).int())
    }

    @discardableResult
    public func hset(_ key: String, field: String, value: some RedisArgument) async throws -> Int {
        try await hset(key, fields: [(field, value.redisArgument)])
    }

    public func hget(_ key: String, field: String) async throws -> [UInt8]? {
        try await send(.hget(key, field: field)).bytes()
    }

    /// All fields; empty when the key does not exist.
    public func hgetall(_ key: String) async throws -> [String: [UInt8]] {
        let pairs = try await send(.hgetall(key)).fieldValuePairs()
        return Dictionary(pairs, uniquingKeysWith: { _, last in last })
    }

    @discardableResult
    public func hdel(_ key: String, fields: String...) async throws -> Int {
        guard !fields.isEmpty else { return 0 }
        return Int(try await send(.hdel(key, fields: fields)).int())
    }

    @discardableResult
    public func hincrby(_ key: String, field: String, by amount: Int64) async throws -> Int64 {
        try await send(.hincrby(key, field: field, by: amount)).int()
    }
}
