import Logging
import PostgresNIO

/// Rebuilds the place index from PostgreSQL (`darkroom reindex geo`), for when Redis lost it.
///
/// Walks every shard in id order, a batch at a time, adding each live media's public location (`lat`, `lng`) and
/// taking out deleted ones. It writes in place and never empties the key, so searches keep answering during the
/// run and the `geo` and `cleanup` stages can keep writing: each write is idempotent and agrees with PostgreSQL. A
/// media deleted while its batch is in flight can be left in the index; the search hides it (hydration drops
/// deleted media) and the next run removes it.
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
        public var shardsDone: Int
        public var shardCount: Int
        /// Live located media written to the index.
        public var indexed: Int
        /// Deleted media taken out.
        public var removed: Int
        /// Live media outside the index's latitude band (kept in PostgreSQL, not searchable).
        public var outOfBand: Int

        public var description: String {
            "geo reindex: \(shardsDone)/\(shardCount) shards, \(indexed) indexed, \(removed) removed, \(outOfBand) beyond ±\(GeoIndex.maxLatitude)°"
        }
    }

    /// Runs the whole rebuild; `progress` is called after every shard.
    @discardableResult
    public func run(logger: Logger, progress: @Sendable (Progress) -> Void = { _ in }) async throws -> Progress {
        let shards = postgres.shardMap.allShards
        var total = Progress(shardsDone: 0, shardCount: shards.count, indexed: 0, removed: 0, outOfBand: 0)
        for shard in shards {
            var after = Int64.min
            while true {
                let rows = try await postgres.query(shard: shard, logger: logger) { schema in
                    """
                    SELECT id, lat, lng, deleted_at IS NOT NULL FROM \(schema).media
                    WHERE lat IS NOT NULL AND id > \(after) ORDER BY id LIMIT \(batchSize)
                    """
                }
                var live: [(id: ShardedID, location: MediaLocation)] = []
                var deleted: [ShardedID] = []
                for row in rows {
                    let (id, lat, lng, isDeleted) = try row.decode((ShardedID, Double, Double, Bool).self)
                    if isDeleted { deleted.append(id) } else { live.append((id, MediaLocation(latitude: lat, longitude: lng))) }
                    after = id.rawValue
                }
                let written = try await index.add(live)
                try await index.remove(deleted)
                total.indexed += written
                total.outOfBand += live.count - written
                total.removed += deleted.count
                if rows.count < batchSize { break }
            }
            total.shardsDone += 1
            progress(total)
        }
        return total
    }
}
