extension RedisCommand {
    public static func lpush(_ key: String, values: [[UInt8]]) -> RedisCommand {
        var command = RedisCommand("LPUSH", key)
        command.append(contentsOf: values)
        return command
    }

    public static func ltrim(_ key: String, start: Int, stop: Int) -> RedisCommand {
        RedisCommand("LTRIM", key, start, stop)
    }

    public static func lrange(_ key: String, start: Int, stop: Int) -> RedisCommand {
        RedisCommand("LRANGE", key, start, stop)
    }
}

extension RedisClient {
    /// Prepends values (the last one ends up first); returns the new length.
    @discardableResult
    public func lpush(_ key: String, values: [[UInt8]]) async throws -> Int {
        guard !values.isEmpty else { throw RedisError(.invalidArgument, "LPUSH needs at least one value") }
        return Int(try await send(.lpush(key, values: values)).int())
    }

    /// Keeps only `start...stop` (inclusive, negative counts from the end).
    public func ltrim(_ key: String, start: Int, stop: Int) async throws {
        try await send(.ltrim(key, start: start, stop: stop)).expectOK()
    }

    /// Elements `start...stop` (inclusive, negative counts from the end).
    public func lrange(_ key: String, start: Int, stop: Int) async throws -> [[UInt8]] {
        try await send(.lrange(key, start: start, stop: stop)).elements().map { try $0.bytes() ?? [] }
    }
}
