import Foundation
import RedisClient

/// One line of a user's activity list.
public struct ActivityItem: Codable, Sendable, Hashable {
    /// The outbox id of the job that delivered it: unique, and what makes delivery idempotent.
    public var id: String
    public var kind: String
    public var actorID: ShardedID
    public var mediaID: ShardedID?
    public var commentID: ShardedID?

    public init(id: String, kind: String, actorID: ShardedID, mediaID: ShardedID?, commentID: ShardedID?) {
        self.id = id
        self.kind = kind
        self.actorID = actorID
        self.mediaID = mediaID
        self.commentID = commentID
    }

    enum CodingKeys: String, CodingKey {
        case id, kind, actorID = "actor_id", mediaID = "media_id", commentID = "comment_id"
    }
}

/// Per-user activity lists in Redis: a capped sorted set whose member is the item's JSON (sorted keys, so the same
/// job always yields the same member text) and whose score is the time it first arrived.
///
/// Idempotent by outbox id: the member carries the outbox id and nothing time-dependent, and `ZADD NX` never updates
/// an existing member, so a redelivered job finds its item already there and changes nothing. The score is
/// `milliseconds since the id epoch × 1000 + (a per-recipient counter mod 1000)` (< 2^53, exact in a double): time
/// order, and unique per recipient unless 1,000 items arrive for one user within one millisecond, so the score is a
/// sound cursor. A redelivery burns a counter value and nothing else.
public struct ActivityStore: Sendable {
    public let redis: RedisClient
    public let cap: Int

    public init(redis: RedisClient, cap: Int = 200) {
        self.redis = redis
        self.cap = cap
    }

    public static func key(of user: ShardedID) -> String { "darkroom:activity:\(user)" }
    static func sequenceKey(of user: ShardedID) -> String { "darkroom:activity:\(user):seq" }

    public func push(_ item: ActivityItem, to user: ShardedID, at date: Date = Date()) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let member = String(decoding: try encoder.encode(item), as: UTF8.self)
        let ms = Int64((date.timeIntervalSince1970 * 1000).rounded(.down)) - ShardedID.epochMilliseconds
        let key = Self.key(of: user)
        let sequence = try await redis.incr(Self.sequenceKey(of: user))
        let score = Double(ms * 1000 + sequence % 1000)
        let replies = try await redis.pipeline([
            RedisCommand("ZADD", key, "NX", score, member),
            RedisCommand("ZREMRANGEBYRANK", key, 0, -(cap + 1)),
        ])
        for reply in replies { _ = try reply.throwingError() }
    }

    /// Items with scores below `before`, newest first; each with its score (the next cursor) and time.
    public func page(of user: ShardedID, before: Int64?, limit: Int) async throws -> [(item: ActivityItem, score: Int64, date: Date)] {
        let upper: RedisScoreBound = before.map { .exclusive(Double($0)) } ?? .positiveInfinity
        let members = try await redis.zrangeByScore(
            Self.key(of: user), min: .negativeInfinity, max: upper, reverse: true, limit: RedisRangeLimit(count: limit))
        return try members.map { member in
            let item: ActivityItem
            do {
                item = try JSONDecoder().decode(ActivityItem.self, from: Data(member.member.utf8))
            } catch {
                throw StorageError(.protocolError, "an activity item did not decode", underlying: error)
            }
            let score = Int64(member.score)
            let date = Date(timeIntervalSince1970: TimeInterval(score / 1000 + ShardedID.epochMilliseconds) / 1000)
            return (item, score, date)
        }
    }
}
