import PostgresNIO

/// The PostgreSQL schema of one logical shard: `s0000` … `s8191`.
///
/// Schema names are the only text ever spliced into SQL unescaped, and they come only from this
/// closed set: the type can only be built from a shard number in range. Interpolate it directly:
/// `"SELECT … FROM \(schema).media WHERE id = \(id)"`.
public struct ShardSchema: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let shard: Int

    public init(shard: Int) throws(StorageError) {
        guard (0..<ShardedID.shardLimit).contains(shard) else {
            throw StorageError(.invalidArgument, "shard \(shard) is outside 0..<\(ShardedID.shardLimit)")
        }
        self.shard = shard
    }

    /// For shard numbers already known to be in range (decoded from a `ShardedID`).
    init(validShard shard: Int) {
        precondition((0..<ShardedID.shardLimit).contains(shard))
        self.shard = shard
    }

    /// `s` and four digits, so names sort like numbers in `\dn` and the catalog.
    public var name: String {
        let digits = String(shard)
        return "s" + String(repeating: "0", count: 4 - digits.count) + digits
    }

    /// The inverse of ``name``, for schema names read from the catalog; nil for any other name.
    public init?(name: String) {
        let utf8 = Array(name.utf8)
        guard utf8.count == 5, utf8[0] == UInt8(ascii: "s"),
              utf8.dropFirst().allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              let number = Int(name.dropFirst()), number < ShardedID.shardLimit
        else { return nil }
        self.shard = number
    }

    public var description: String { name }

    public static func < (lhs: ShardSchema, rhs: ShardSchema) -> Bool { lhs.shard < rhs.shard }
}

extension PostgresQuery.StringInterpolation {
    /// Splices a shard's schema name; safe because ``ShardSchema`` names come from a closed set.
    public mutating func appendInterpolation(_ schema: ShardSchema) {
        appendInterpolation(unescaped: schema.name)
    }
}
