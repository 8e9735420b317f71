import Foundation
import RedisClient

/// The consumer side of one stage stream: Redis Streams operations in the terms the workers need.
///
/// At-least-once: an entry leaves the group's pending entries list only through ``ack(_:)`` or
/// ``deadLetter(_:reason:)``. Everything else (a crash, a failure, a shutdown) leaves it pending, and some consumer
/// gets it again: its own on restart (``readOwnPending(count:)``), any consumer once it is due for retry
/// (``claimDueRetries(policy:limit:)``) or idle long enough to belong to a dead worker (``reclaim(minIdle:count:cursor:)``).
public struct JobQueue: Sendable {
    public let redis: RedisClient
    public let stream: JobStream
    /// This consumer's name in the group. Stable across restarts if the process wants its own pending entries back.
    public let consumer: String

    public init(redis: RedisClient, stream: JobStream, consumer: String) {
        self.redis = redis
        self.stream = stream
        self.consumer = consumer
    }

    /// Creates the group (and the stream) if missing. The group starts at `0`, so jobs published before the first
    /// worker ever ran are delivered too. Returns `false` when it already existed.
    @discardableResult
    public func ensureGroup() async throws -> Bool {
        try await redis.xgroupCreate(stream.key, group: stream.group, startID: "0", makeStream: true)
    }

    /// Entries never delivered to the group, waiting up to `block` for some. Their delivery count is 1.
    public func readNew(count: Int, block: Duration) async throws -> [JobDelivery] {
        let entries = try await redis.xreadgroup(
            group: stream.group, consumer: consumer, stream: stream.key, position: .new, count: count, block: block)
        return entries.map { JobDelivery(entry: $0, deliveryCount: 1) }
    }

    /// This consumer's own pending entries (what it held when it last stopped). Entries whose payload is gone are
    /// acknowledged on the way: there is nothing left to run.
    public func readOwnPending(count: Int = 100) async throws -> [JobDelivery] {
        var position = RedisStreamReadPosition.pending
        var found: [RedisStreamEntry] = []
        while true {
            let page = try await redis.xreadgroup(group: stream.group, consumer: consumer, stream: stream.key, position: position, count: count)
            guard let last = page.last else { break }
            found += page
            position = .pendingAfter(last.id)
        }
        let gone = found.filter(\.isDeleted).map(\.id)
        if !gone.isEmpty { try await ack(gone) }
        return try await withDeliveryCounts(found.filter { !$0.isDeleted })
    }

    /// Acknowledges finished entries; returns how many were pending.
    @discardableResult
    public func ack(_ ids: [String]) async throws -> Int {
        try await redis.xack(stream.key, group: stream.group, ids: ids)
    }

    /// Takes over entries idle at least `minIdle`: their consumer died (or hung). `minIdle` must exceed the
    /// slowest legitimate handler, or a live worker's job runs twice at once.
    public func reclaim(minIdle: Duration, count: Int, cursor: String = "0-0") async throws -> JobReclaim {
        let result = try await redis.xautoclaim(stream.key, group: stream.group, consumer: consumer, minIdle: minIdle, start: cursor, count: count)
        return JobReclaim(deliveries: try await withDeliveryCounts(result.entries), deletedIDs: result.deletedIDs, nextCursor: result.nextCursor)
    }

    /// Parks a failed entry under the group's retry consumer: it stays pending (nothing is lost if this process
    /// dies), its idle time restarts at zero and its delivery count is unchanged (JUSTID).
    public func park(_ id: String) async throws {
        try await redis.xclaimJustID(stream.key, group: stream.group, consumer: stream.retryConsumer, ids: [id])
    }

    /// Claims parked entries whose backoff has run out (idle ≥ the policy's delay after their delivery count).
    /// The claim's own min-idle makes it safe against other workers claiming the same entry at once.
    public func claimDueRetries(policy: RetryPolicy, limit: Int) async throws -> [JobDelivery] {
        guard limit > 0 else { return [] }
        let parked = try await redis.xpending(
            stream.key, group: stream.group, minIdle: policy.baseDelay, count: max(limit * 4, 16), consumer: stream.retryConsumer)
        var claimed: [JobDelivery] = []
        for pending in parked where claimed.count < limit {
            let delay = policy.delay(afterDelivery: pending.deliveryCount)
            guard pending.idle >= delay else { continue }
            let entries = try await redis.xclaim(stream.key, group: stream.group, consumer: consumer, minIdle: delay, ids: [pending.id])
            guard let entry = entries.first else { continue }
            if entry.isDeleted {
                try await ack([entry.id])
                continue
            }
            claimed.append(JobDelivery(entry: entry, deliveryCount: pending.deliveryCount + 1))
        }
        return claimed
    }

    /// Copies the entry to the dead-letter stream with why, and acknowledges it, in one MULTI/EXEC.
    public func deadLetter(_ delivery: JobDelivery, reason: String, at date: Date = Date()) async throws {
        let letter = DeadLetter(
            originalID: delivery.entry.id, reason: reason, deliveryCount: delivery.deliveryCount, failedAt: date, jobFields: delivery.entry.fields)
        let replies = try await redis.transaction([
            .xadd(stream.deadLetterKey, fields: letter.fields),
            .xack(stream.key, group: stream.group, ids: [delivery.entry.id]),
        ])
        for reply in replies { try reply.throwingError() }
    }

    /// Trims the stream with `MINID ~` just below what any group still needs (see ``TrimPoint``); returns the
    /// threshold used, or `nil` when nothing may be trimmed. `approximate` (the default) lets Redis drop only whole
    /// macro nodes, which is far cheaper; exact trimming is for tests.
    @discardableResult
    public func trim(approximate: Bool = true) async throws -> StreamEntryID? {
        guard let threshold = try await trimThreshold() else { return nil }
        try await redis.xtrimMinID(stream.key, threshold: threshold.description, approximate: approximate)
        return threshold
    }

    /// The threshold ``trim()`` would use.
    public func trimThreshold() async throws -> StreamEntryID? {
        let groups: [RedisStreamGroupInfo]
        do {
            groups = try await redis.xinfoGroups(stream.key)
        } catch let error as RedisError where error.message.contains("no such key") {
            return nil
        }
        var states: [TrimPoint.GroupState] = []
        for group in groups {
            guard let last = StreamEntryID(group.lastDeliveredID) else {
                throw StorageError(.protocolError, "group \(group.name) of \(stream.key) has last-delivered-id \(group.lastDeliveredID)")
            }
            var oldest: StreamEntryID?
            if group.pending > 0 {
                let summary = try await redis.xpendingSummary(stream.key, group: group.name)
                oldest = summary.smallestID.flatMap(StreamEntryID.init)
            }
            states.append(.init(lastDeliveredID: last, oldestPendingID: oldest))
        }
        return TrimPoint.threshold(groups: states)
    }

    /// Pending entries of this stage's group and entries not yet delivered to it (`nil` when Redis cannot tell).
    public func depth() async throws -> (pending: Int, lag: Int?) {
        let group = try await redis.xinfoGroups(stream.key).first { $0.name == stream.group }
        return (group?.pending ?? 0, group?.lag)
    }

    /// Each entry's delivery count, read from the pending list (XREADGROUP on history and XAUTOCLAIM do not return it).
    private func withDeliveryCounts(_ entries: [RedisStreamEntry]) async throws -> [JobDelivery] {
        guard !entries.isEmpty else { return [] }
        let replies = try await redis.pipeline(entries.map { .xpending(stream.key, group: stream.group, start: $0.id, end: $0.id, count: 1) })
        var deliveries: [JobDelivery] = []
        for (entry, reply) in zip(entries, replies) {
            let count = try reply.throwingError().pendingEntries().first?.deliveryCount ?? 1
            deliveries.append(JobDelivery(entry: entry, deliveryCount: count))
        }
        return deliveries
    }
}

extension JobQueue {
    /// Deletes consumers of the group that hold nothing and have not been seen for `idle`: every process start adds a
    /// consumer name, and the group would otherwise list them forever. Never touches the retry consumer or this one.
    @discardableResult
    public func removeIdleConsumers(idle: Duration) async throws -> [String] {
        let reply = try await redis.send(RedisCommand("XINFO", "CONSUMERS", stream.key, stream.group))
        var removed: [String] = []
        for element in try reply.elements() {
            let map = try element.elements()
            var values: [String: RedisReply] = [:]
            var index = 0
            while index + 1 < map.count {
                values[try map[index].requiredString()] = map[index + 1]
                index += 2
            }
            guard let name = try values["name"]?.string(), let pending = try values["pending"]?.int(), let idleMs = try values["idle"]?.int() else {
                throw StorageError(.protocolError, "XINFO CONSUMERS entry without name, pending and idle")
            }
            guard pending == 0, .milliseconds(idleMs) >= idle, name != stream.retryConsumer, name != consumer else { continue }
            // DELCONSUMER drops the consumer's pending entries too: it is only ever sent for one that holds none.
            try await redis.send(RedisCommand("XGROUP", "DELCONSUMER", stream.key, stream.group, name))
            removed.append(name)
        }
        return removed
    }
}
