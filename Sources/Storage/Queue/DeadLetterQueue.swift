import RedisClient
/// Operator actions on one stage's dead-letter stream (`darkroom jobs dlq ...`).
public struct DeadLetterQueue: Sendable {
    public let redis: RedisClient
    public let stream: JobStream

    public init(redis: RedisClient, stream: JobStream) {
        self.redis = redis
        self.stream = stream
    }

    /// Dead letters oldest first, at most `count`, after the id `after` (exclusive) when given.
    public func list(count: Int = 100, after: String? = nil) async throws -> [DeadLetter] {
        let start = after.map { "(\($0)" } ?? "-"
        return try await redis.xrange(stream.deadLetterKey, start: start, count: count).map { try DeadLetter(entry: $0) }
    }

    /// Every dead letter, page by page.
    public func all(pageSize: Int = 500) async throws -> [DeadLetter] {
        var letters: [DeadLetter] = []
        var after: String?
        while true {
            let page = try await list(count: pageSize, after: after)
            letters += page
            guard let last = page.last, page.count == pageSize else { return letters }
            after = last.id
        }
    }

    /// Puts the dead letters back on the stage stream as new entries (delivery count starts again at 1) and removes
    /// them from the dead-letter stream, each in one MULTI/EXEC. Returns the ids that existed.
    @discardableResult
    public func retry(ids: [String]) async throws -> [String] {
        var retried: [String] = []
        for id in ids {
            guard let entry = try await redis.xrange(stream.deadLetterKey, start: id, end: id, count: 1).first else { continue }
            let letter = try DeadLetter(entry: entry)
            let fields = letter.jobFields.map { ($0.name, $0.value) }
            guard !fields.isEmpty else { throw StorageError(.invalidArgument, "dead letter \(id) carries no job fields to republish") }
            let replies = try await redis.transaction([.xadd(stream.key, fields: fields), .xdel(stream.deadLetterKey, ids: [id])])
            for reply in replies { try reply.throwingError() }
            retried.append(id)
        }
        return retried
    }

    /// Deletes dead letters; returns how many existed.
    @discardableResult
    public func drop(ids: [String]) async throws -> Int {
        try await redis.xdel(stream.deadLetterKey, ids: ids)
    }

    public func count() async throws -> Int {
        try await redis.xlen(stream.deadLetterKey)
    }
}
