/// Which physical PostgreSQL server hosts each logical shard.
///
/// Logical shards are schemas (``ShardSchema``); servers are indices into the configured server
/// list (`DARKROOM_PG_URLS`). Moving a shard to another server means moving its schema and
/// changing this map, never re-bucketing rows. Server 0 also holds the username directory.
///
/// Changing only the shard count with the *default* map moves shards between servers (the
/// contiguous split shifts); once data exists, grow with an explicit spec that keeps existing
/// shards where they are. `Migrator` refuses a map that disagrees with where schemas already live.
public struct ShardMap: Sendable, Hashable, CustomStringConvertible {
    public static let defaultShardCount = 8

    public let shardCount: Int
    public let serverCount: Int
    /// Index = logical shard, value = server index.
    private let serverOfShard: [Int]

    /// The default map: shards split into contiguous, equal-sized runs over the servers
    /// (8 shards on 2 servers: 0-3 on server 0, 4-7 on server 1).
    public init(shardCount: Int = ShardMap.defaultShardCount, serverCount: Int) throws(StorageError) {
        try Self.validateCounts(shardCount: shardCount, serverCount: serverCount)
        self.shardCount = shardCount
        self.serverCount = serverCount
        self.serverOfShard = (0..<shardCount).map { $0 * serverCount / shardCount }
    }

    /// Parses a spec of comma-separated `shards:server` entries, where `shards` is one shard
    /// (`5`) or an inclusive range (`0-3`): `"0-3:0,4-7:1"`. Every shard in `0..<shardCount` must
    /// appear exactly once and every server index must be in `0..<serverCount`.
    public init(spec: String, shardCount: Int, serverCount: Int) throws(StorageError) {
        try Self.validateCounts(shardCount: shardCount, serverCount: serverCount)
        var assigned = [Int?](repeating: nil, count: shardCount)
        let entries = spec.split(separator: ",", omittingEmptySubsequences: false)
        for rawEntry in entries {
            let entry = rawEntry.trimmingSpaces
            let parts = entry.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2 else {
                throw Self.invalid(spec, "entry '\(entry)' is not 'shards:server' (e.g. '0-3:0')")
            }
            let range = try Self.parseShards(String(parts[0].trimmingSpaces), entry: String(entry), spec: spec)
            guard let server = Int(parts[1].trimmingSpaces) else {
                throw Self.invalid(spec, "server in '\(entry)' is not a number")
            }
            guard (0..<serverCount).contains(server) else {
                throw Self.invalid(spec, "server \(server) in '\(entry)' does not exist: there are \(serverCount) server(s), 0...\(serverCount - 1)")
            }
            guard range.upperBound < shardCount else {
                throw Self.invalid(spec, "shards in '\(entry)' exceed the shard count \(shardCount) (0...\(shardCount - 1))")
            }
            for shard in range {
                if let previous = assigned[shard] {
                    throw Self.invalid(spec, "shard \(shard) is mapped twice (to server \(previous) and in '\(entry)')")
                }
                assigned[shard] = server
            }
        }
        let missing = assigned.indices.filter { assigned[$0] == nil }
        guard missing.isEmpty else {
            throw Self.invalid(spec, "shard(s) \(Self.render(missing)) are not mapped to any server")
        }
        self.shardCount = shardCount
        self.serverCount = serverCount
        self.serverOfShard = assigned.map { $0! }
    }

    /// The server hosting `shard`; `.invalidArgument` for a shard outside this map (e.g. decoded
    /// from a forged or foreign id).
    public func server(forShard shard: Int) throws(StorageError) -> Int {
        guard (0..<shardCount).contains(shard) else {
            throw StorageError(.invalidArgument, "shard \(shard) is outside the configured 0..<\(shardCount)")
        }
        return serverOfShard[shard]
    }

    /// The schema of `shard`, checked against this map's shard count.
    public func schema(forShard shard: Int) throws(StorageError) -> ShardSchema {
        _ = try server(forShard: shard)
        return ShardSchema(validShard: shard)
    }

    /// The shard owning the row with this id (a user's rows live on the user's id's shard,
    /// a media row and its likes, comments and hashtags on the media id's shard).
    public func shard(of id: ShardedID) throws(StorageError) -> Int {
        _ = try server(forShard: id.shard)
        return id.shard
    }

    /// Shards hosted by `server`, ascending.
    public func shards(onServer server: Int) -> [Int] {
        serverOfShard.indices.filter { serverOfShard[$0] == server }
    }

    public var allShards: Range<Int> { 0..<shardCount }

    /// The username directory lives on the first server.
    public var directoryServer: Int { 0 }

    /// The shard for a new user: FNV-1a of the lowercased username, modulo the shard count.
    /// Deterministic, so a retried signup lands on the same shard, and uniform enough to spread
    /// users; it is only a placement choice — afterwards the user's id carries the shard.
    public func shardForNewUser(username: String) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in username.lowercased().utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return Int(hash % UInt64(shardCount))
    }

    /// The map in spec form (`"0-3:0,4-7:1"`), parseable by ``init(spec:shardCount:serverCount:)``.
    public var spec: String {
        var entries: [String] = []
        var start = 0
        for shard in 1...shardCount {
            if shard == shardCount || serverOfShard[shard] != serverOfShard[start] {
                let range = start == shard - 1 ? "\(start)" : "\(start)-\(shard - 1)"
                entries.append("\(range):\(serverOfShard[start])")
                start = shard
            }
        }
        return entries.joined(separator: ",")
    }

    public var description: String { "ShardMap(\(shardCount) shards on \(serverCount) servers: \(spec))" }

    // MARK: - Parsing helpers

    private static func validateCounts(shardCount: Int, serverCount: Int) throws(StorageError) {
        guard (1...ShardedID.shardLimit).contains(shardCount) else {
            throw StorageError(.invalidArgument, "shard count \(shardCount) is outside 1...\(ShardedID.shardLimit)")
        }
        guard serverCount >= 1 else {
            throw StorageError(.invalidArgument, "at least one PostgreSQL server is needed, got \(serverCount)")
        }
    }

    private static func parseShards(_ text: String, entry: String, spec: String) throws(StorageError) -> ClosedRange<Int> {
        let bounds = text.split(separator: "-", omittingEmptySubsequences: false)
        guard (1...2).contains(bounds.count),
              let low = Int(bounds[0].trimmingSpaces), let high = Int(bounds[bounds.count - 1].trimmingSpaces),
              low >= 0
        else {
            throw invalid(spec, "shards '\(text)' in '\(entry)' are not a shard number or a range like '0-3'")
        }
        guard low <= high else {
            throw invalid(spec, "range '\(text)' in '\(entry)' runs backwards")
        }
        return low...high
    }

    private static func invalid(_ spec: String, _ reason: String) -> StorageError {
        StorageError(.invalidArgument, "invalid shard map '\(spec)': \(reason)")
    }

    private static func render(_ shards: [Int]) -> String {
        let shown = shards.prefix(10).map(String.init).joined(separator: ", ")
        return shards.count > 10 ? "\(shown), … (\(shards.count) in all)" : shown
    }
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        var slice = self
        while slice.first == " " { slice.removeFirst() }
        while slice.last == " " { slice.removeLast() }
        return slice
    }
}
