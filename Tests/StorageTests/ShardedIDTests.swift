import Foundation
import Storage
import Testing

@Suite struct ShardedIDTests {
    @Test(arguments: [
        (Int64(0), 0, 0),
        (Int64(1), 1, 1),
        (Int64(123_456_789), 4321, 999),
        (ShardedID.maxMillisecondsSinceEpoch, 8191, 1023),
        ((Int64(1) << 40) - 1, 8191, 1023),   // last id below the sign bit
        (Int64(1) << 40, 0, 0),               // first id with the sign bit set
    ])
    func partsRoundTrip(milliseconds: Int64, shard: Int, sequence: Int) throws {
        let id = try ShardedID(millisecondsSinceEpoch: milliseconds, shard: shard, sequence: sequence)
        #expect(id.millisecondsSinceEpoch == milliseconds)
        #expect(id.shard == shard)
        #expect(id.sequence == sequence)
        #expect(ShardedID(rawValue: id.rawValue) == id)
        #expect(ShardedID(string: id.description) == id)
    }

    @Test func layoutMatchesInstagramBits() throws {
        let id = try ShardedID(millisecondsSinceEpoch: 5, shard: 3, sequence: 7)
        #expect(id.rawValue == 5 << 23 | 3 << 10 | 7)
        // What the API and workers do with any id: shard = (id >> 10) & 0x1FFF.
        #expect((id.rawValue >> 10) & 0x1FFF == 3)
    }

    @Test func epochIs2024() throws {
        let formatter = ISO8601DateFormatter()
        #expect(ShardedID.epoch == formatter.date(from: "2024-01-01T00:00:00Z"))
        let id = try ShardedID(millisecondsSinceEpoch: 1500, shard: 0, sequence: 0)
        #expect(id.timestamp == formatter.date(from: "2024-01-01T00:00:01Z")!.addingTimeInterval(0.5))
    }

    @Test func timestampRoundTripsToTheMillisecond() throws {
        let date = Date(timeIntervalSince1970: 1_763_700_000.123)
        let id = try ShardedID(timestamp: date, shard: 42, sequence: 1)
        #expect(abs(id.timestamp.timeIntervalSince(date)) < 0.001)
        #expect(id.shard == 42)
    }

    @Test(arguments: [
        (Int64(0), 8192, 0),
        (Int64(0), -1, 0),
        (Int64(0), 0, 1024),
        (Int64(0), 0, -1),
        (Int64(-1), 0, 0),
        (ShardedID.maxMillisecondsSinceEpoch + 1, 0, 0),
    ])
    func outOfRangePartsAreRejected(milliseconds: Int64, shard: Int, sequence: Int) {
        #expect {
            _ = try ShardedID(millisecondsSinceEpoch: milliseconds, shard: shard, sequence: sequence)
        } throws: { ($0 as? StorageError)?.code == .invalidArgument }
    }

    @Test func idsOrderByTimeBeforeShardAndSequence() throws {
        let earlier = try ShardedID(millisecondsSinceEpoch: 1000, shard: 8191, sequence: 1023)
        let later = try ShardedID(millisecondsSinceEpoch: 1001, shard: 0, sequence: 0)
        #expect(earlier < later)
        let sameMillisecond = try ShardedID(millisecondsSinceEpoch: 1001, shard: 0, sequence: 1)
        #expect(later < sameMillisecond)
        // After 2058 the top bit is set: still later than every earlier id.
        let after2058 = try ShardedID(millisecondsSinceEpoch: 1 << 40, shard: 0, sequence: 0)
        #expect(after2058.rawValue < 0)
        #expect(later < after2058)
        #expect(!after2058.description.hasPrefix("-"))
    }

    @Test func lowerBoundIsBelowEveryIdOfThatMillisecond() throws {
        let date = Date(timeIntervalSince1970: 1_763_700_000.5)
        let bound = ShardedID.lowerBound(at: date)
        let id = try ShardedID(timestamp: date, shard: 0, sequence: 0)
        #expect(bound == id)
        #expect(bound <= (try ShardedID(timestamp: date, shard: 17, sequence: 3)))
        #expect(ShardedID.lowerBound(at: Date(timeIntervalSince1970: 0)).rawValue == 0)
    }

    @Test(arguments: ["", "-1", "+1", " 1", "1 ", "1.0", "0x10", "abc", "18446744073709551616", "123456789012345678901"])
    func malformedStringsAreRejected(text: String) {
        #expect(ShardedID(string: text) == nil)
    }

    @Test func encodesAsJSONString() throws {
        let id = try ShardedID(millisecondsSinceEpoch: 60_000_000_000, shard: 5, sequence: 9)
        let json = String(decoding: try JSONEncoder().encode(["id": id]), as: UTF8.self)
        #expect(json == #"{"id":"\#(id.rawValue)"}"#)
        let decoded = try JSONDecoder().decode([String: ShardedID].self, from: Data(json.utf8))
        #expect(decoded["id"] == id)
    }

    @Test func jsonNumbersAreRejected() {
        // A JavaScript client may already have rounded a number above 2^53: refuse instead of guessing.
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([String: ShardedID].self, from: Data(#"{"id":123}"#.utf8))
        }
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([String: ShardedID].self, from: Data(#"{"id":"12a"}"#.utf8))
        }
    }

    @Test func shardSchemaNames() throws {
        #expect(try ShardSchema(shard: 0).name == "s0000")
        #expect(try ShardSchema(shard: 42).name == "s0042")
        #expect(try ShardSchema(shard: 8191).name == "s8191")
        #expect(ShardSchema(name: "s0042") == (try ShardSchema(shard: 42)))
        for name in ["s8192", "s042", "S0042", "s00420", "public", "s-001", "s 001"] {
            #expect(ShardSchema(name: name) == nil, "\(name)")
        }
        #expect(throws: StorageError.self) { try ShardSchema(shard: 8192) }
        #expect(throws: StorageError.self) { try ShardSchema(shard: -1) }
    }
}
