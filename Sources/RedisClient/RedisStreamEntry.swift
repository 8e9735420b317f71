/// One stream entry: its id and its field/value pairs in the order they were added.
public struct RedisStreamEntry: Sendable, Hashable {
    public struct Field: Sendable, Hashable {
        public var name: String
        public var value: [UInt8]

        public init(_ name: String, _ value: [UInt8]) {
            self.name = name
            self.value = value
        }
    }

    public var id: String
    public var fields: [Field]
    /// The entry is still pending in the group but its payload is gone (deleted, or trimmed away):
    /// XREADGROUP on history answers `[id, nil]` for it. Acknowledge it; there is nothing to process.
    public var isDeleted: Bool

    public init(id: String, fields: [Field], isDeleted: Bool = false) {
        self.id = id
        self.fields = fields
        self.isDeleted = isDeleted
    }

    public init(id: String, fields: [(String, [UInt8])]) {
        self.init(id: id, fields: fields.map { Field($0.0, $0.1) })
    }

    /// The first value of a field, or `nil`.
    public subscript(name: String) -> [UInt8]? {
        fields.first { $0.name == name }?.value
    }

    /// The first value of a field as UTF-8 text, or `nil`.
    public func string(_ name: String) -> String? {
        self[name].map { String(decoding: $0, as: UTF8.self) }
    }
}

/// The entries read from one stream (XREADGROUP names each stream it answers for).
public struct RedisStreamRead: Sendable, Hashable {
    public var stream: String
    public var entries: [RedisStreamEntry]

    public init(stream: String, entries: [RedisStreamEntry]) {
        self.stream = stream
        self.entries = entries
    }
}

/// XAUTOCLAIM's Redis 7 answer.
public struct RedisAutoClaimResult: Sendable, Hashable {
    /// Where the next scan starts; `0-0` when the whole PEL has been scanned.
    public var nextCursor: String
    /// Entries now owned by the claiming consumer (delivery count incremented).
    public var entries: [RedisStreamEntry]
    /// Pending ids whose payload no longer exists; Redis dropped them from the PEL while claiming.
    public var deletedIDs: [String]

    public init(nextCursor: String, entries: [RedisStreamEntry], deletedIDs: [String]) {
        self.nextCursor = nextCursor
        self.entries = entries
        self.deletedIDs = deletedIDs
    }

    public var isScanComplete: Bool { nextCursor == "0-0" }
}

/// XPENDING's summary form.
public struct RedisPendingSummary: Sendable, Hashable {
    public struct Consumer: Sendable, Hashable {
        public var name: String
        public var pending: Int

        public init(name: String, pending: Int) {
            self.name = name
            self.pending = pending
        }
    }

    public var count: Int
    /// Oldest pending id; `nil` when nothing is pending. Trim with MINID below this.
    public var smallestID: String?
    public var largestID: String?
    public var consumers: [Consumer]

    public init(count: Int, smallestID: String?, largestID: String?, consumers: [Consumer]) {
        self.count = count
        self.smallestID = smallestID
        self.largestID = largestID
        self.consumers = consumers
    }
}

/// One row of XPENDING's extended form.
public struct RedisPendingEntry: Sendable, Hashable {
    public var id: String
    public var consumer: String
    /// Time since the entry was last delivered.
    public var idle: Duration
    /// Times delivered so far (XREADGROUP, XCLAIM, XAUTOCLAIM each add one).
    public var deliveryCount: Int

    public init(id: String, consumer: String, idle: Duration, deliveryCount: Int) {
        self.id = id
        self.consumer = consumer
        self.idle = idle
        self.deliveryCount = deliveryCount
    }
}

/// One consumer group as XINFO GROUPS describes it (Redis 7 adds `entries-read` and `lag`).
public struct RedisStreamGroupInfo: Sendable, Hashable {
    public var name: String
    public var consumers: Int
    public var pending: Int
    public var lastDeliveredID: String
    /// Entries in the stream not yet delivered to the group; `nil` when Redis cannot tell (after some trims/deletes) or before 7.0.
    public var lag: Int?

    public init(name: String, consumers: Int, pending: Int, lastDeliveredID: String, lag: Int?) {
        self.name = name
        self.consumers = consumers
        self.pending = pending
        self.lastDeliveredID = lastDeliveredID
        self.lag = lag
    }
}

// MARK: - Reply parsing

extension RedisReply {
    /// `[id, [field, value, ...]]`; `[id, nil]` for an entry whose payload is gone.
    public func streamEntry() throws(RedisError) -> RedisStreamEntry {
        let parts = try elements()
        guard parts.count == 2 else { throw unexpected("stream entry [id, fields]") }
        let id = try parts[0].requiredString()
        if parts[1].isNull { return RedisStreamEntry(id: id, fields: [], isDeleted: true) }
        let fields = try parts[1].fieldValuePairs().map { RedisStreamEntry.Field($0.0, $0.1) }
        return RedisStreamEntry(id: id, fields: fields)
    }

    /// An array of entries (XRANGE, one stream's part of XREADGROUP, XAUTOCLAIM's second element).
    public func streamEntries() throws(RedisError) -> [RedisStreamEntry] {
        var entries: [RedisStreamEntry] = []
        for element in try elements() { entries.append(try element.streamEntry()) }
        return entries
    }

    /// XREAD/XREADGROUP: `[[stream, entries], ...]`, or null when BLOCK ran out with nothing new.
    public func streamReads() throws(RedisError) -> [RedisStreamRead] {
        var reads: [RedisStreamRead] = []
        for element in try elements() {
            let pair = try element.elements()
            guard pair.count == 2 else { throw element.unexpected("[stream, entries]") }
            reads.append(RedisStreamRead(stream: try pair[0].requiredString(), entries: try pair[1].streamEntries()))
        }
        return reads
    }

    /// XAUTOCLAIM (Redis 7): `[next-cursor, entries, deleted-ids]`. Redis 6.2 sends only the first two.
    public func autoClaimResult() throws(RedisError) -> RedisAutoClaimResult {
        let parts = try elements()
        guard parts.count == 2 || parts.count == 3 else { throw unexpected("XAUTOCLAIM [cursor, entries, deleted]") }
        return RedisAutoClaimResult(
            nextCursor: try parts[0].requiredString(),
            entries: try parts[1].streamEntries(),
            deletedIDs: parts.count == 3 ? try parts[2].strings() : []
        )
    }

    /// XPENDING key group: `[count, smallest, largest, [[consumer, "n"], ...]]`; the ids and the list are null when empty.
    public func pendingSummary() throws(RedisError) -> RedisPendingSummary {
        let parts = try elements()
        guard parts.count == 4 else { throw unexpected("XPENDING summary [count, smallest, largest, consumers]") }
        var consumers: [RedisPendingSummary.Consumer] = []
        for element in try parts[3].elements() {
            let pair = try element.elements()
            guard pair.count == 2 else { throw element.unexpected("[consumer, count]") }
            consumers.append(.init(name: try pair[0].requiredString(), pending: Int(try pair[1].int())))
        }
        return RedisPendingSummary(
            count: Int(try parts[0].int()),
            smallestID: try parts[1].string(),
            largestID: try parts[2].string(),
            consumers: consumers
        )
    }

    /// XPENDING key group [IDLE ms] start end count [consumer]: `[[id, consumer, idle-ms, deliveries], ...]`.
    public func pendingEntries() throws(RedisError) -> [RedisPendingEntry] {
        var entries: [RedisPendingEntry] = []
        for element in try elements() {
            let parts = try element.elements()
            guard parts.count == 4 else { throw element.unexpected("[id, consumer, idle, deliveries]") }
            entries.append(
                RedisPendingEntry(
                    id: try parts[0].requiredString(),
                    consumer: try parts[1].requiredString(),
                    idle: .milliseconds(try parts[2].int()),
                    deliveryCount: Int(try parts[3].int())
                )
            )
        }
        return entries
    }

    /// XINFO GROUPS: one flat `[name, value, ...]` map per group.
    public func streamGroupInfos() throws(RedisError) -> [RedisStreamGroupInfo] {
        var groups: [RedisStreamGroupInfo] = []
        for element in try elements() {
            let map = try element.elements()
            guard map.count % 2 == 0 else { throw element.unexpected("XINFO GROUPS map") }
            var values: [String: RedisReply] = [:]
            var index = 0
            while index < map.count {
                values[try map[index].requiredString()] = map[index + 1]
                index += 2
            }
            guard let name = values["name"], let consumers = values["consumers"], let pending = values["pending"],
                let last = values["last-delivered-id"]
            else { throw element.unexpected("XINFO GROUPS fields name, consumers, pending, last-delivered-id") }
            var lag: Int?
            if let reply = values["lag"], !reply.isNull { lag = Int(try reply.int()) }
            groups.append(
                RedisStreamGroupInfo(
                    name: try name.requiredString(),
                    consumers: Int(try consumers.int()),
                    pending: Int(try pending.int()),
                    lastDeliveredID: try last.requiredString(),
                    lag: lag
                )
            )
        }
        return groups
    }
}
