import Foundation
import NIOCore
import PostgresNIO

/// A 64-bit id in Instagram's layout, minted by `sNNNN.next_id()` in PostgreSQL:
///
///     | 41 bits: ms since ``epoch`` | 13 bits: logical shard | 10 bits: sequence |
///
/// Ids sort by time and carry the shard that owns the row, so routing needs no lookup.
/// The epoch is 2024-01-01T00:00:00Z; 41 bits of milliseconds last 69.7 years, but the top bit
/// is the sign bit of PostgreSQL's `bigint`, so ids stay positive (and sort the same signed and
/// unsigned) until 2058-11-04. The layout must never change once ids exist.
///
/// In JSON an id is a *string*: JavaScript numbers lose precision above 2^53, and a silently
/// rounded id would point at someone else's photo.
public struct ShardedID: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let rawValue: Int64

    /// 2024-01-01T00:00:00Z in Unix milliseconds. Baked into every shard's `next_id()`.
    public static let epochMilliseconds: Int64 = 1_704_067_200_000
    public static let epoch = Date(timeIntervalSince1970: TimeInterval(epochMilliseconds) / 1000)

    public static let timestampBits = 41
    public static let shardBits = 13
    public static let sequenceBits = 10
    /// Logical shards an id can name: 8192.
    public static let shardLimit = 1 << shardBits
    /// Ids one shard can mint per millisecond: 1024.
    public static let sequenceLimit = 1 << sequenceBits
    public static let maxMillisecondsSinceEpoch: Int64 = (1 << 41) - 1

    public init(rawValue: Int64) {
        self.rawValue = rawValue
    }

    /// Builds an id from its parts; throws `.invalidArgument` when a part does not fit its field.
    public init(millisecondsSinceEpoch: Int64, shard: Int, sequence: Int) throws(StorageError) {
        guard (0...Self.maxMillisecondsSinceEpoch).contains(millisecondsSinceEpoch) else {
            throw StorageError(.invalidArgument, "id timestamp \(millisecondsSinceEpoch) ms is outside 0...\(Self.maxMillisecondsSinceEpoch)")
        }
        guard (0..<Self.shardLimit).contains(shard) else {
            throw StorageError(.invalidArgument, "shard \(shard) is outside 0..<\(Self.shardLimit)")
        }
        guard (0..<Self.sequenceLimit).contains(sequence) else {
            throw StorageError(.invalidArgument, "sequence \(sequence) is outside 0..<\(Self.sequenceLimit)")
        }
        // Shift as UInt64: from 2058 on the timestamp reaches the sign bit.
        let bits = UInt64(millisecondsSinceEpoch) << UInt64(Self.shardBits + Self.sequenceBits)
            | UInt64(shard) << UInt64(Self.sequenceBits)
            | UInt64(sequence)
        self.rawValue = Int64(bitPattern: bits)
    }

    public init(timestamp: Date, shard: Int, sequence: Int) throws(StorageError) {
        let ms = Self.millisecondsSinceEpoch(of: timestamp)
        try self.init(millisecondsSinceEpoch: ms, shard: shard, sequence: sequence)
    }

    /// The smallest id any shard can mint at `date`: a cursor for "everything since `date`"
    /// (`id >= ShardedID.lowerBound(at:)`). Dates before the epoch clamp to 0.
    public static func lowerBound(at date: Date) -> ShardedID {
        let ms = min(max(millisecondsSinceEpoch(of: date), 0), maxMillisecondsSinceEpoch)
        return ShardedID(rawValue: Int64(bitPattern: UInt64(ms) << UInt64(shardBits + sequenceBits)))
    }

    /// Parses the decimal form (as sent in JSON and URLs): digits only, no sign or spaces.
    public init?(string: some StringProtocol) {
        guard !string.isEmpty, string.count <= 20, string.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              let value = UInt64(string)
        else { return nil }
        self.rawValue = Int64(bitPattern: value)
    }

    private var bits: UInt64 { UInt64(bitPattern: rawValue) }

    public var millisecondsSinceEpoch: Int64 {
        Int64(bits >> UInt64(Self.shardBits + Self.sequenceBits))
    }

    public var timestamp: Date {
        Date(timeIntervalSince1970: TimeInterval(Self.epochMilliseconds + millisecondsSinceEpoch) / 1000)
    }

    /// The logical shard that minted the id and owns its row.
    public var shard: Int {
        Int((bits >> UInt64(Self.sequenceBits)) & UInt64(Self.shardLimit - 1))
    }

    public var sequence: Int {
        Int(bits & UInt64(Self.sequenceLimit - 1))
    }

    /// Unsigned decimal, so the text form never turns negative (from 2058 on).
    public var description: String { String(bits) }

    /// Unsigned order, i.e. time order, also for ids minted after 2058.
    public static func < (lhs: ShardedID, rhs: ShardedID) -> Bool {
        lhs.bits < rhs.bits
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let string = try container.decode(String.self)
        guard let id = ShardedID(string: string) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a decimal 64-bit id")
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    static func millisecondsSinceEpoch(of date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded(.down)) - epochMilliseconds
    }
}

// Binds and decodes as `bigint`, so queries can interpolate ids directly.
extension ShardedID: PostgresNonThrowingEncodable, PostgresDecodable {
    public static var psqlType: PostgresDataType { .int8 }
    public static var psqlFormat: PostgresFormat { .binary }

    public func encode<JSONEncoder: PostgresJSONEncoder>(
        into byteBuffer: inout ByteBuffer,
        context: PostgresEncodingContext<JSONEncoder>
    ) {
        rawValue.encode(into: &byteBuffer, context: context)
    }

    public init<JSONDecoder: PostgresJSONDecoder>(
        from buffer: inout ByteBuffer,
        type: PostgresDataType,
        format: PostgresFormat,
        context: PostgresDecodingContext<JSONDecoder>
    ) throws {
        self.init(rawValue: try Int64(from: &buffer, type: type, format: format, context: context))
    }
}

extension ShardedID {
    /// `count` ids, on shard 0, from a random point after 2058 (2^40 ms past the epoch): no shard mints them for
    /// decades, and two calls almost never overlap. Follower fixtures for benchmarks and tests.
    public static func farFuture(count: Int) throws(StorageError) -> [ShardedID] {
        let base = try ShardedID(millisecondsSinceEpoch: (1 << 40) + Int64.random(in: 0..<(1 << 39)), shard: 0, sequence: 0)
        return (0..<count).map { ShardedID(rawValue: base.rawValue + Int64($0) << 10) }
    }
}
