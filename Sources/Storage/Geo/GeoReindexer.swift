import Logging
import PostgresNIO

/// Rebuilds the place index from PostgreSQL (`darkroom reindex geo`), for when Redis lost it.
///
/// Walks every shard in id order, a batch at a time (one query per server per batch, through
/// ``ShardedPostgres/queryAcrossShards(_:allowPartial:timeout:logger:_:)``), adding each live media's public location
/// (`lat`, `lng`) and taking deleted ones out. It writes in place and never empties the key, so searches keep
/// answering during the run and the `geo` and `cleanup` stages can keep writing: each write is idempotent and agrees
/// with PostgreSQL. A media deleted while its batch is in flight can be left in the index; the search hides it
/// (hydration drops deleted media) and the next run removes it.
public struct GeoReindexer: Sendable {
    public let postgres: ShardedPostgres
    public let index: GeoIndex
    public let batchSize: Int

    public init(postgres: ShardedPostgres, index: GeoIndex, batchSize: Int = 2_000) {
        self.postgres = postgres
        self.index = index
        self.batchSize = batchSize
    }

    public struct Progress: Sendable, Hashable, CustomStringConvertible {
        /// Located media rows read so far.
        public var read: Int
        /// Live located media written to the index.
        public var indexed: Int
        /// Deleted media taken out.
        public var removed: Int
        /// Live media outside the index's latitude band (kept in PostgreSQL, not searchable).
        public var outOfBand: Int
        public var done: Bool

        public var description: String {
            "geo reindex: \(read) located media read, \(indexed) indexed, \(removed) deleted removed, \(outOfBand) beyond ±\(GeoIndex.maxLatitude)°"
                + (done ? ", done" : "")
        }
    }

    /// Runs the whole rebuild; `progress` is called after every batch.
    @discardableResult
    public func run(logger: Logger, progress: @Sendable (Progress) -> Void = { _ in }) async throws -> Progress {
        var total = Progress(read: 0, indexed: 0, removed: 0, outOfBand: 0, done: false)
        var after = Int64.min
        while true {
            // Each shard gives its next `batchSize` rows; the batch is the lowest `batchSize` ids of all of them, so
            // no row below the new cursor is left behind on any shard.
            let found = try await postgres.queryAcrossShards(postgres.shardMap.allShards, logger: logger) { schema in
                """
                SELECT id, lat, lng, deleted_at IS NOT NULL FROM \(schema).media
                WHERE lat IS NOT NULL AND id > \(after) ORDER BY id LIMIT \(batchSize)
                """
            }
            var rows: [(id: ShardedID, location: MediaLocation, isDeleted: Bool)] = []
            for row in found.rows {
                let (id, lat, lng, isDeleted) = try row.decode((ShardedID, Double, Double, Bool).self)
                rows.append((id, MediaLocation(latitude: lat, longitude: lng), isDeleted))
            }
            let batch = rows.sorted { $0.id < $1.id }.prefix(batchSize)
            let live = batch.filter { !$0.isDeleted }.map { (id: $0.id, location: $0.location) }
            let deleted = batch.filter { $0.isDeleted }.map { $0.id }
            let written = try await index.add(live)
            try await index.remove(deleted)
            total.read += batch.count
            total.indexed += written
            total.outOfBand += live.count - written
            total.removed += deleted.count
            guard let last = batch.last, found.rows.count >= batchSize else {
                total.done = true
                progress(total)
                return total
            }
            after = last.id.rawValue
            progress(total)
        }
    }
}
