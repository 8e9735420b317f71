/// Where XREADGROUP starts reading.
public enum RedisStreamReadPosition: Sendable, Hashable, RedisArgument {
    /// `>`: entries never delivered to any consumer of the group.
    case new
    /// `0`: this consumer's own pending entries (re-read them on startup before `.new`).
    case pending
    /// This consumer's pending entries after an id (paging through history).
    case pendingAfter(String)

    public var redisArgument: [UInt8] {
        switch self {
        case .new: Array(">".utf8)
        case .pending: Array("0".utf8)
        case .pendingAfter(let id): Array(id.utf8)
        }
    }
}

extension RedisCommand {
    /// `XADD key [MINID [~] threshold] * field value ...`.
    ///
    /// Only MINID trimming is offered: MAXLEN drops entries regardless of consumer-group state, so it can
    /// lose unacknowledged jobs. Pass a threshold below the oldest pending id of every group.
    public static func xadd(
        _ key: String,
        fields: [(String, [UInt8])],
        id: String = "*",
        trimMinID: String? = nil,
        approximateTrim: Bool = true
    ) -> RedisCommand {
        var command = RedisCommand("XADD", key)
        if let trimMinID {
            command.append("MINID")
            if approximateTrim { command.append("~") }
            command.append(trimMinID)
        }
        command.append(id)
        for (field, value) in fields { command.append(field, value) }
        return command
    }

    /// `XGROUP CREATE key group start-id [MKSTREAM]`.
    public static func xgroupCreate(_ key: String, group: String, startID: String = "0", makeStream: Bool = true) -> RedisCommand {
        var command = RedisCommand("XGROUP", "CREATE", key, group, startID)
        if makeStream { command.append("MKSTREAM") }
        return command
    }

    /// `XREADGROUP GROUP g c [COUNT n] [BLOCK ms] STREAMS key position`.
    ///
    /// `block` marks the command as blocking so the connection widens its read timeout for this call.
    /// `BLOCK 0` (forever) is refused by the client method: it would pin a pool thread indefinitely.
    public static func xreadgroup(
        group: String,
        consumer: String,
        stream: String,
        position: RedisStreamReadPosition = .new,
        count: Int? = nil,
        block: Duration? = nil
    ) -> RedisCommand {
        var command = RedisCommand("XREADGROUP", "GROUP", group, consumer)
        if let count { command.append("COUNT", count) }
        if let block {
            command.append("BLOCK", block.redisMilliseconds)
            command.serverBlockTime = block
        }
        command.append("STREAMS", stream, position)
        return command
    }

    public static func xack(_ key: String, group: String, ids: [String]) -> RedisCommand {
        RedisCommand("XACK", [key, group] + ids)
    }

    /// `XAUTOCLAIM key group consumer min-idle-ms start [COUNT n]`.
    public static func xautoclaim(
        _ key: String,
        group: String,
        consumer: String,
        minIdle: Duration,
        start: String = "0-0",
        count: Int? = nil
    ) -> RedisCommand {
        var command = RedisCommand("XAUTOCLAIM", key, group, consumer, minIdle.redisMilliseconds, start)
        if let count { command.append("COUNT", count) }
        return command
    }

    /// `XPENDING key group` (summary form).
    public static func xpendingSummary(_ key: String, group: String) -> RedisCommand {
        RedisCommand("XPENDING", key, group)
    }

    /// `XPENDING key group [IDLE ms] start end count [consumer]` (extended form).
    public static func xpending(
        _ key: String,
        group: String,
        minIdle: Duration? = nil,
        start: String = "-",
        end: String = "+",
        count: Int,
        consumer: String? = nil
    ) -> RedisCommand {
        var command = RedisCommand("XPENDING", key, group)
        if let minIdle { command.append("IDLE", minIdle.redisMilliseconds) }
        command.append(start, end, count)
        if let consumer { command.append(consumer) }
        return command
    }

    public static func xlen(_ key: String) -> RedisCommand {
        RedisCommand("XLEN", key)
    }

    public static func xdel(_ key: String, ids: [String]) -> RedisCommand {
        RedisCommand("XDEL", [key] + ids)
    }

    public static func xinfoGroups(_ key: String) -> RedisCommand {
        RedisCommand("XINFO", "GROUPS", key)
    }

    /// `XRANGE key start end [COUNT n]`.
    public static func xrange(_ key: String, start: String = "-", end: String = "+", count: Int? = nil) -> RedisCommand {
        var command = RedisCommand("XRANGE", key, start, end)
        if let count { command.append("COUNT", count) }
        return command
    }
}

extension RedisClient {
    /// Appends an entry; returns its id.
    @discardableResult
    public func xadd(
        _ key: String,
        fields: [(String, [UInt8])],
        id: String = "*",
        trimMinID: String? = nil,
        approximateTrim: Bool = true
    ) async throws -> String {
        guard !fields.isEmpty else { throw RedisError(.invalidArgument, "XADD needs at least one field") }
        return try await send(.xadd(key, fields: fields, id: id, trimMinID: trimMinID, approximateTrim: approximateTrim)).requiredString()
    }

    /// Creates a consumer group (and the stream). Returns `false` when the group already exists (BUSYGROUP).
    @discardableResult
    public func xgroupCreate(_ key: String, group: String, startID: String = "0", makeStream: Bool = true) async throws -> Bool {
        let reply = try await sendReturningErrors(.xgroupCreate(key, group: group, startID: startID, makeStream: makeStream))
        if reply.errorPrefix == "BUSYGROUP" { return false }
        try reply.expectOK()
        return true
    }

    /// Reads entries for `consumer` of `group` from one stream; empty when BLOCK ran out with nothing new.
    ///
    /// The wait (`block`) is added to the socket read timeout for this call only, so it may be longer
    /// than the command timeout. It does hold one connection and one `NIOThreadPool` thread for its
    /// whole length: keep it short (around a second) and loop.
    public func xreadgroup(
        group: String,
        consumer: String,
        stream: String,
        position: RedisStreamReadPosition = .new,
        count: Int? = nil,
        block: Duration? = nil
    ) async throws -> [RedisStreamEntry] {
        if let block, block <= .zero {
            throw RedisError(.invalidArgument, "XREADGROUP BLOCK must be positive; BLOCK 0 would hold a connection forever")
        }
        let command = RedisCommand.xreadgroup(group: group, consumer: consumer, stream: stream, position: position, count: count, block: block)
        return try await send(command).streamReads().first { $0.stream == stream }?.entries ?? []
    }

    /// Acknowledges entries; returns how many were pending.
    @discardableResult
    public func xack(_ key: String, group: String, ids: [String]) async throws -> Int {
        guard !ids.isEmpty else { return 0 }
        return Int(try await send(.xack(key, group: group, ids: ids)).int())
    }

    /// Takes over entries idle for at least `minIdle` (their worker likely died).
    public func xautoclaim(
        _ key: String,
        group: String,
        consumer: String,
        minIdle: Duration,
        start: String = "0-0",
        count: Int? = nil
    ) async throws -> RedisAutoClaimResult {
        try await send(.xautoclaim(key, group: group, consumer: consumer, minIdle: minIdle, start: start, count: count)).autoClaimResult()
    }

    public func xpendingSummary(_ key: String, group: String) async throws -> RedisPendingSummary {
        try await send(.xpendingSummary(key, group: group)).pendingSummary()
    }

    public func xpending(
        _ key: String,
        group: String,
        minIdle: Duration? = nil,
        start: String = "-",
        end: String = "+",
        count: Int,
        consumer: String? = nil
    ) async throws -> [RedisPendingEntry] {
        let command = RedisCommand.xpending(key, group: group, minIdle: minIdle, start: start, end: end, count: count, consumer: consumer)
        return try await send(command).pendingEntries()
    }

    public func xlen(_ key: String) async throws -> Int {
        Int(try await send(.xlen(key)).int())
    }

    @discardableResult
    public func xdel(_ key: String, ids: [String]) async throws -> Int {
        guard !ids.isEmpty else { return 0 }
        return Int(try await send(.xdel(key, ids: ids)).int())
    }

    public func xrange(_ key: String, start: String = "-", end: String = "+", count: Int? = nil) async throws -> [RedisStreamEntry] {
        try await send(.xrange(key, start: start, end: end, count: count)).streamEntries()
    }

    /// Consumer groups of a stream with their pending count and lag (queue depth metrics).
    public func xinfoGroups(_ key: String) async throws -> [RedisStreamGroupInfo] {
        try await send(.xinfoGroups(key)).streamGroupInfos()
    }
}

extension RedisCommand {
    /// `XCLAIM key group consumer min-idle-ms id... [JUSTID]`.
    public static func xclaim(_ key: String, group: String, consumer: String, minIdle: Duration, ids: [String], justID: Bool = false) -> RedisCommand {
        var command = RedisCommand("XCLAIM", key, group, consumer, minIdle.redisMilliseconds)
        command.append(contentsOf: ids)
        if justID { command.append("JUSTID") }
        return command
    }

    /// `XTRIM key MINID [~] threshold`. MAXLEN is deliberately not offered (see ``xadd(_:fields:id:trimMinID:approximateTrim:)``).
    public static func xtrimMinID(_ key: String, threshold: String, approximate: Bool = true) -> RedisCommand {
        var command = RedisCommand("XTRIM", key, "MINID")
        if approximate { command.append("~") }
        command.append(threshold)
        return command
    }
}

extension RedisClient {
    /// Takes over `ids` if each has been idle at least `minIdle` (the ones that have not are left alone: another
    /// consumer got there first). Returns the claimed entries; each claim adds one to the delivery count.
    public func xclaim(_ key: String, group: String, consumer: String, minIdle: Duration, ids: [String]) async throws -> [RedisStreamEntry] {
        guard !ids.isEmpty else { return [] }
        return try await send(.xclaim(key, group: group, consumer: consumer, minIdle: minIdle, ids: ids)).streamEntries()
    }

    /// Moves `ids` to `consumer` without touching their delivery count (JUSTID) and restarts their idle time.
    @discardableResult
    public func xclaimJustID(_ key: String, group: String, consumer: String, ids: [String]) async throws -> [String] {
        guard !ids.isEmpty else { return [] }
        return try await send(.xclaim(key, group: group, consumer: consumer, minIdle: .zero, ids: ids, justID: true)).strings()
    }

    /// Removes entries below `threshold` (whole macro nodes only with `approximate`); returns how many went.
    @discardableResult
    public func xtrimMinID(_ key: String, threshold: String, approximate: Bool = true) async throws -> Int {
        Int(try await send(.xtrimMinID(key, threshold: threshold, approximate: approximate)).int())
    }
}
