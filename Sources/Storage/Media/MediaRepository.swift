import Foundation
import Logging
import PostgresNIO
import Synchronization

/// Media rows on the owner's shard (the shard its id names), with their hashtags and the outbox rows they cause.
public struct MediaRepository: Sendable {
    public let postgres: ShardedPostgres
    /// Only ``Failpoints/Point/mediaCommitAnswerLost`` and ``Failpoints/Point/mediaTimeoutBeforeCommit`` matter here.
    public let failpoints: Failpoints

    public init(postgres: ShardedPostgres, failpoints: Failpoints = .none) {
        self.postgres = postgres
        self.failpoints = failpoints
    }

    public enum InsertOutcome: Sendable {
        /// Written, with the outbox rows committed alongside (to be published).
        case created(MediaRecord, outbox: [OutboxRow])
        /// The owner already has a live media with these bytes: nothing was written.
        case duplicate(MediaRecord)
        /// The transaction's answer was lost, but it did commit (the row was found afterwards). Its outbox rows are
        /// not at hand: the outbox relay publishes them.
        case committedAfterLostAnswer(MediaRecord)
        /// The transaction's answer was lost (`error`) and whether it committed could not be settled: the row may
        /// exist, so nothing it could point at may be deleted.
        case unknown(any Error)
    }

    public enum DeleteOutcome: Sendable {
        case deleted(MediaRecord, outbox: [OutboxRow])
        case notFound
        case forbidden
    }

    /// Columns of `MediaRecord`, in `decodeRecord`'s order; `m` is the media table's alias.
    static func columns(_ schema: ShardSchema) -> String {
        """
        m.id, m.owner_id, m.content_sha256, m.caption, \
        ARRAY(SELECT h.tag FROM \(schema).media_hashtags h WHERE h.media_id = m.id ORDER BY h.tag), \
        m.filter, m.width, m.height, m.blurhash, m.lat, m.lng, m.exif_lat, m.exif_lng, m.captured_at, m.camera_make, m.camera_model, \
        m.renditions::text, m.like_count, m.comment_count, m.created_at, m.deleted_at
        """
    }

    /// The live media of `owner` with these bytes, if any (a repeated upload).
    public func existing(owner: ShardedID, contentSHA256: [UInt8], logger: Logger) async throws -> MediaRecord? {
        let digest = Data(contentSHA256)
        let rows = try await postgres.withConnection(shard: owner.shard, logger: logger) { connection, schema in
            try await connection.query(
                "SELECT \(unescaped: Self.columns(schema)) FROM \(schema).media m WHERE m.owner_id = \(owner) AND m.content_sha256 = \(digest) AND m.deleted_at IS NULL",
                logger: logger
            ).collect()
        }
        return try rows.first.map { try Self.decodeRecord($0) }
    }

    /// One transaction on the owner's shard: the media row, its hashtags, the owner's media count and the outbox
    /// rows `outbox` asks for. A live media with the same owner and bytes wins: `.duplicate`, nothing written.
    ///
    /// A failure after the INSERT answered may have hidden a COMMIT that happened (a deadline expiring while COMMIT's
    /// answer was on its way): then the row is looked up by id and the transaction's fate asked of the server
    /// (`txid_status`), giving `.committedAfterLostAnswer`, the error (certainly not committed) or `.unknown`.
    public func insert(
        _ media: NewMedia, logger: Logger, outbox: @escaping @Sendable (MediaRecord) throws -> [OutboxMessage]
    ) async throws -> InsertOutcome {
        guard media.id.shard == media.ownerID.shard else {
            throw StorageError(.invalidArgument, "media \(media.id) is not on its owner's shard \(media.ownerID.shard)")
        }
        let renditionsJSON = try Self.encodeRenditions(media.renditions)
        let shard = media.ownerID.shard
        let failpoints = self.failpoints
        // Set once the INSERT answered; until then COMMIT cannot have been sent, so the transaction cannot commit.
        let transaction = TransactionID()
        let inserted: (MediaRecord, [OutboxRow])?
        do {
            inserted = try await postgres.withTransaction(shard: shard, logger: logger) { connection, schema in
                let rows = try await connection.query(
                    """
                        INSERT INTO \(schema).media AS m (id, owner_id, content_sha256, caption, filter, width, height, blurhash,
                            lat, lng, exif_lat, exif_lng, captured_at, camera_make, camera_model, renditions)
                        VALUES (\(media.id), \(media.ownerID), \(Data(media.contentSHA256)), \(media.caption), \(media.filter),
                            \(media.width), \(media.height), \(media.blurhash), \(media.location?.latitude), \(media.location?.longitude),
                            \(media.exifLocation?.latitude), \(media.exifLocation?.longitude),
                            \(media.capturedAt), \(media.cameraMake), \(media.cameraModel), \(renditionsJSON)::jsonb)
                        ON CONFLICT (owner_id, content_sha256) WHERE deleted_at IS NULL DO NOTHING
                        RETURNING m.created_at, txid_current()
                        """,
                    logger: logger
                ).collect()
                guard let row = rows.first else { return nil }
                let (createdAt, xid) = try row.decode((Date, Int64).self)
                transaction.set(xid)
                let tags = Array(Set(media.hashtags)).sorted()
                if !tags.isEmpty {
                    try await connection.query(
                        "INSERT INTO \(schema).media_hashtags (tag, media_id) SELECT unnest(\(tags)::text[]), \(media.id) ON CONFLICT DO NOTHING",
                        logger: logger
                    ).collect()
                }
                try await connection.query(
                    "UPDATE \(schema).users SET media_count = media_count + 1 WHERE id = \(media.ownerID)",
                    logger: logger
                ).collect()
                var stored = media
                stored.hashtags = tags
                let record = MediaRecord(stored, createdAt: createdAt)
                let outboxRows = try await Outbox.insert(try outbox(record), shard: shard, on: connection, logger: logger)
                if failpoints.isArmed(.mediaTimeoutBeforeCommit) {
                    throw StorageError(.timeout, "failpoint \(Failpoints.Point.mediaTimeoutBeforeCommit.rawValue): rolled back")
                }
                return (record, outboxRows)
            }
            if inserted != nil, failpoints.isArmed(.mediaCommitAnswerLost) {
                throw StorageError(.timeout, "failpoint \(Failpoints.Point.mediaCommitAnswerLost.rawValue): committed, answer dropped")
            }
        } catch {
            guard let xid = transaction.value else { throw error }
            switch await settle(media.id, transaction: xid, logger: logger) {
            case let .committed(record):
                logger.warning("a media insert committed although its answer was lost", metadata: ["media.id": "\(media.id)", "error": "\(String(reflecting: error))"])
                return .committedAfterLostAnswer(record)
            case .absent:
                throw error
            case .unknown:
                return .unknown(error)
            }
        }
        if let (record, rows) = inserted { return .created(record, outbox: rows) }
        guard let existing = try await existing(owner: media.ownerID, contentSHA256: media.contentSHA256, logger: logger) else {
            // The conflicting row was deleted between our INSERT and this read: the caller may simply retry.
            throw StorageError(.conflict, "media with the same bytes changed concurrently")
        }
        return .duplicate(existing)
    }

    public enum Settled: Sendable {
        case committed(MediaRecord)
        /// Rolled back: no row was written.
        case absent
        case unknown
    }

    /// What became of transaction `xid`, which inserted media `id`: asked of the server a few times while it is
    /// still in progress (a connection closed at a deadline is rolled back by the server shortly after), then given
    /// up as unknown. Any failure to ask is unknown too. Public for the tests of each outcome.
    public func settle(_ id: ShardedID, transaction xid: Int64, logger: Logger) async -> Settled {
        for attempt in 0..<5 {
            if attempt > 0 { try? await Task.sleep(for: .milliseconds(200)) }
            do {
                let status = try await postgres.query(shard: id.shard, logger: logger) { _ in "SELECT txid_status(\(xid))" }
                    .first?.decode(String?.self)
                switch status {
                case "aborted":
                    return .absent
                case "committed":
                    // Rows are only ever soft-deleted, so a committed insert is found.
                    return try await media(id: id, logger: logger).map { .committed($0) } ?? .unknown
                case "in progress":
                    continue
                default:
                    return .unknown   // NULL: too old to tell
                }
            } catch {
                logger.warning("could not settle a media insert whose answer was lost", metadata: ["media.id": "\(id)", "error": "\(String(reflecting: error))"])
                return .unknown
            }
        }
        return .unknown
    }

    /// The media with this id, deleted or not; nil when no such row (or the id names no shard of the map).
    public func media(id: ShardedID, logger: Logger) async throws -> MediaRecord? {
        guard postgres.shardMap.allShards.contains(id.shard) else { return nil }
        let rows = try await postgres.withConnection(shard: id.shard, logger: logger) { connection, schema in
            try await connection.query(
                "SELECT \(unescaped: Self.columns(schema)) FROM \(schema).media m WHERE m.id = \(id)",
                logger: logger
            ).collect()
        }
        return try rows.first.map { try Self.decodeRecord($0) }
    }

    /// Several media, one query per server holding them, in the order asked; missing and deleted ones left out.
    public func media(ids: [ShardedID], logger: Logger) async throws -> [MediaRecord] {
        try await postgres.records(ids: ids, logger: logger, id: \MediaRecord.id, decode: Self.decodeRecord) { schema, values in
            "SELECT \(unescaped: Self.columns(schema)) FROM \(schema).media m WHERE m.id = ANY(\(values)) AND m.deleted_at IS NULL"
        }
    }

    /// The owner's live media, newest first, with ids below `before` (the cursor).
    public func list(owner: ShardedID, before: ShardedID?, limit: Int, logger: Logger) async throws -> [MediaRecord] {
        guard postgres.shardMap.allShards.contains(owner.shard) else { return [] }
        let cursor = before?.rawValue ?? Int64.max
        let rows = try await postgres.withConnection(shard: owner.shard, logger: logger) { connection, schema in
            try await connection.query(
                """
                    SELECT \(unescaped: Self.columns(schema)) FROM \(schema).media m
                    WHERE m.owner_id = \(owner) AND m.id < \(cursor) AND m.deleted_at IS NULL ORDER BY m.id DESC LIMIT \(limit)
                    """,
                logger: logger
            ).collect()
        }
        return try rows.map { try Self.decodeRecord($0) }
    }

    /// Marks the media deleted (only its owner may) and writes the `cleanup` outbox row in the same transaction.
    /// Deleting an already deleted media is `.notFound`.
    public func markDeleted(
        id: ShardedID, requester: ShardedID, logger: Logger, outbox: @escaping @Sendable (MediaRecord) throws -> [OutboxMessage]
    ) async throws -> DeleteOutcome {
        guard postgres.shardMap.allShards.contains(id.shard) else { return .notFound }
        return try await postgres.withTransaction(shard: id.shard, logger: logger) { connection, schema in
            let rows = try await connection.query(
                "SELECT \(unescaped: Self.columns(schema)) FROM \(schema).media m WHERE m.id = \(id) FOR UPDATE OF m",
                logger: logger
            ).collect()
            guard let row = rows.first else { return .notFound }
            var record = try Self.decodeRecord(row)
            guard !record.isDeleted else { return .notFound }
            guard record.ownerID == requester else { return .forbidden }
            let updated = try await connection.query(
                "UPDATE \(schema).media SET deleted_at = now() WHERE id = \(id) RETURNING deleted_at",
                logger: logger
            ).collect()
            record.deletedAt = try updated.first?.decode(Date.self)
            try await connection.query(
                "UPDATE \(schema).users SET media_count = greatest(media_count - 1, 0) WHERE id = \(record.ownerID)",
                logger: logger
            ).collect()
            let outboxRows = try await Outbox.insert(try outbox(record), shard: id.shard, on: connection, logger: logger)
            return .deleted(record, outbox: outboxRows)
        }
    }

    /// Which of `ids` have a live (not deleted) row: one query per physical server, the servers in parallel. Ids whose
    /// server could not be asked, or that name no shard of the map, are `unknown`: whoever acts on absence must leave
    /// them alone.
    public func liveness(of ids: Set<ShardedID>, logger: Logger) async -> MediaLiveness {
        let mapped = ids.filter { postgres.shardMap.allShards.contains($0.shard) }
        var result = MediaLiveness(unknown: ids.subtracting(mapped))
        guard !mapped.isEmpty else { return result }
        let values = mapped.map(\.rawValue)
        do {
            let read = try await postgres.queryAcrossShards(mapped.map(\.shard), allowPartial: true, logger: logger) { schema in
                "SELECT id FROM \(schema).media WHERE id = ANY(\(values)) AND deleted_at IS NULL"
            }
            result.live = Set(try read.rows.map { try $0.decode(ShardedID.self) })
            let failed = Set(read.failedServers)
            result.unknown.formUnion(mapped.filter { id in (try? postgres.server(forShard: id.shard)).map(failed.contains) ?? true })
        } catch {
            logger.warning("could not look up media rows", metadata: ["error": "\(String(reflecting: error))"])
            result.live = []
            result.unknown.formUnion(mapped)
        }
        return result
    }

    /// Whether the media exists and is not deleted, on a connection already leased on its shard.
    public static func isLive(_ mediaID: ShardedID, on connection: PostgresConnection, schema: ShardSchema, logger: Logger) async throws -> Bool {
        let rows = try await connection.query(
            "SELECT 1 FROM \(schema).media WHERE id = \(mediaID) AND deleted_at IS NULL", logger: logger
        ).collect()
        return !rows.isEmpty
    }

    // MARK: - Rows

    static func decodeRecord(_ row: PostgresRow) throws -> MediaRecord {
        do {
            let (id, owner, digest, caption, tags, filter, width, height, blurhash, lat, lng, exifLat, exifLng, capturedAt, make, model,
                 renditions, likes, comments, createdAt, deletedAt) = try row.decode(
                (ShardedID, ShardedID, Data, String, [String], String, Int, Int, String?, Double?, Double?, Double?, Double?, Date?, String?,
                 String?, String, Int64, Int64, Date, Date?).self)
            let media = NewMedia(
                id: id, ownerID: owner, contentSHA256: Array(digest), caption: caption, hashtags: tags, filter: filter, width: width,
                height: height, blurhash: blurhash, location: MediaLocation(latitude: lat, longitude: lng),
                exifLocation: MediaLocation(latitude: exifLat, longitude: exifLng), capturedAt: capturedAt, cameraMake: make, cameraModel: model,
                renditions: try JSONDecoder().decode([StoredRendition].self, from: Data(renditions.utf8)))
            return MediaRecord(media, likeCount: likes, commentCount: comments, createdAt: createdAt, deletedAt: deletedAt)
        } catch {
            throw StorageError(.protocolError, "a media row did not decode", underlying: error)
        }
    }

    static func encodeRenditions(_ renditions: [StoredRendition]) throws(StorageError) -> String {
        do {
            return String(decoding: try JSONEncoder().encode(renditions), as: UTF8.self)
        } catch {
            throw StorageError(.invalidArgument, "renditions did not encode", underlying: error)
        }
    }
}

/// The answer of ``MediaRepository/liveness(of:logger:)``: every id asked is live, unknown, or else certainly without
/// a live row.
public struct MediaLiveness: Sendable, Equatable {
    public var live: Set<ShardedID> = []
    public var unknown: Set<ShardedID> = []

    public init(live: Set<ShardedID> = [], unknown: Set<ShardedID> = []) {
        self.live = live
        self.unknown = unknown
    }
}

/// The id of the transaction a call is running, handed out of its closure as soon as it is known.
private final class TransactionID: Sendable {
    private let xid = Mutex<Int64?>(nil)

    var value: Int64? { xid.withLock { $0 } }

    func set(_ value: Int64) {
        xid.withLock { $0 = value }
    }
}
