/// A sorted-set member with its score.
public struct RedisScoredMember: Sendable, Hashable {
    public var member: String
    public var score: Double

    public init(_ member: String, score: Double) {
        self.member = member
        self.score = score
    }
}

/// One end of a score range (`ZRANGE ... BYSCORE`).
public enum RedisScoreBound: Sendable, Hashable, RedisArgument {
    case inclusive(Double)
    /// `(score`: the score itself is left out, e.g. for cursor pagination past the last seen id.
    case exclusive(Double)
    case negativeInfinity
    case positiveInfinity

    public var redisArgument: [UInt8] {
        switch self {
        case .inclusive(let score): score.redisArgument
        case .exclusive(let score): [UInt8(ascii: "(")] + score.redisArgument
        case .negativeInfinity: Array("-inf".utf8)
        case .positiveInfinity: Array("+inf".utf8)
        }
    }
}

/// `LIMIT offset count` of a score range.
public struct RedisRangeLimit: Sendable, Hashable {
    public var offset: Int
    public var count: Int

    public init(offset: Int = 0, count: Int) {
        self.offset = offset
        self.count = count
    }
}

extension RedisCommand {
    public static func zadd(_ key: String, members: [RedisScoredMember]) -> RedisCommand {
        var command = RedisCommand("ZADD", key)
        for entry in members { command.append(entry.score, entry.member) }
        return command
    }

    public static func zrem(_ key: String, members: [String]) -> RedisCommand {
        RedisCommand("ZREM", [key] + members)
    }

    /// `ZRANGE key start stop [REV] [WITHSCORES]`, by rank; `reverse` is ZREVRANGE (highest score first).
    public static func zrange(_ key: String, start: Int, stop: Int, reverse: Bool = false, withScores: Bool = false) -> RedisCommand {
        var command = RedisCommand("ZRANGE", key, start, stop)
        if reverse { command.append("REV") }
        if withScores { command.append("WITHSCORES") }
        return command
    }

    /// `ZRANGE key min max BYSCORE [REV] [LIMIT offset count] [WITHSCORES]` (Redis 6.2+).
    /// `min`/`max` are always the low and high bound; with `reverse` they are sent high first, as Redis wants.
    public static func zrangeByScore(
        _ key: String,
        min: RedisScoreBound,
        max: RedisScoreBound,
        reverse: Bool = false,
        limit: RedisRangeLimit? = nil,
        withScores: Bool = false
    ) -> RedisCommand {
        var command = reverse ? RedisCommand("ZRANGE", key, max, min, "BYSCORE", "REV") : RedisCommand("ZRANGE", key, min, max, "BYSCORE")
        if let limit { command.append("LIMIT", limit.offset, limit.count) }
        if withScores { command.append("WITHSCORES") }
        return command
    }

    public static func zremrangebyrank(_ key: String, start: Int, stop: Int) -> RedisCommand {
        RedisCommand("ZREMRANGEBYRANK", key, start, stop)
    }

    public static func zcard(_ key: String) -> RedisCommand {
        RedisCommand("ZCARD", key)
    }

    public static func zscore(_ key: String, member: String) -> RedisCommand {
        RedisCommand("ZSCORE", key, member)
    }
}

extension RedisReply {
    /// A WITHSCORES reply: `[member, score, member, score, ...]` (RESP2 flattens the pairs).
    public func scoredMembers() throws(RedisError) -> [RedisScoredMember] {
        let elements = try elements()
        guard elements.count % 2 == 0 else { throw unexpected("member/score pairs") }
        var members: [RedisScoredMember] = []
        members.reserveCapacity(elements.count / 2)
        var index = 0
        while index < elements.count {
            guard let score = try elements[index + 1].double() else { throw elements[index + 1].unexpected("score") }
            members.append(RedisScoredMember(try elements[index].requiredString(), score: score))
            index += 2
        }
        return members
    }

    /// An array of bulk strings as text.
    public func strings() throws(RedisError) -> [String] {
        var result: [String] = []
        for element in try elements() { result.append(try element.requiredString()) }
        return result
    }
}

extension RedisClient {
    /// Adds or updates members; returns how many were new.
    @discardableResult
    public func zadd(_ key: String, members: [RedisScoredMember]) async throws -> Int {
        guard !members.isEmpty else { return 0 }
        return Int(try await send(.zadd(key, members: members)).int())
    }

    @discardableResult
    public func zrem(_ key: String, members: [String]) async throws -> Int {
        guard !members.isEmpty else { return 0 }
        return Int(try await send(.zrem(key, members: members)).int())
    }

    /// Members by rank, lowest score first (`reverse`: highest first).
    public func zrange(_ key: String, start: Int, stop: Int, reverse: Bool = false) async throws -> [String] {
        try await send(.zrange(key, start: start, stop: stop, reverse: reverse)).strings()
    }

    public func zrangeWithScores(_ key: String, start: Int, stop: Int, reverse: Bool = false) async throws -> [RedisScoredMember] {
        try await send(.zrange(key, start: start, stop: stop, reverse: reverse, withScores: true)).scoredMembers()
    }

    /// Members whose score lies between `min` and `max`, lowest first (`reverse`: highest first).
    public func zrangeByScore(
        _ key: String,
        min: RedisScoreBound,
        max: RedisScoreBound,
        reverse: Bool = false,
        limit: RedisRangeLimit? = nil
    ) async throws -> [RedisScoredMember] {
        try await send(.zrangeByScore(key, min: min, max: max, reverse: reverse, limit: limit, withScores: true)).scoredMembers()
    }

    /// Removes members by rank (e.g. `0, -(cap + 1)` keeps the `cap` highest); returns how many went.
    @discardableResult
    public func zremrangebyrank(_ key: String, start: Int, stop: Int) async throws -> Int {
        Int(try await send(.zremrangebyrank(key, start: start, stop: stop)).int())
    }

    public func zcard(_ key: String) async throws -> Int {
        Int(try await send(.zcard(key)).int())
    }

    public func zscore(_ key: String, member: String) async throws -> Double? {
        try await send(.zscore(key, member: member)).double()
    }
}
