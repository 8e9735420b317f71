import Storage
import Testing

@Suite struct ShardMapTests {
    @Test func defaultSplitsContiguouslyAndEvenly() throws {
        let map = try ShardMap(shardCount: 8, serverCount: 2)
        #expect(map.shards(onServer: 0) == [0, 1, 2, 3])
        #expect(map.shards(onServer: 1) == [4, 5, 6, 7])
        #expect(map.spec == "0-3:0,4-7:1")
        #expect(try ShardMap(serverCount: 2).shardCount == 8)
    }

    @Test(arguments: [(10, 3), (8192, 2), (7, 7), (1, 1), (3, 5), (8192, 5)])
    func defaultSplitCoversEveryShardOnceWithSizesWithinOne(shards: Int, servers: Int) throws {
        let map = try ShardMap(shardCount: shards, serverCount: servers)
        let sizes = (0..<servers).map { map.shards(onServer: $0).count }
        #expect(sizes.reduce(0, +) == shards)
        #expect(sizes.max()! - sizes.min()! <= 1)
        // Contiguous: each server's shards form one run, in server order.
        let flattened = (0..<servers).flatMap { map.shards(onServer: $0) }
        #expect(flattened == Array(0..<shards))
        // The spec form parses back to the same map.
        #expect(try ShardMap(spec: map.spec, shardCount: shards, serverCount: servers) == map)
    }

    @Test func parsesRangesSinglesAndSpaces() throws {
        let map = try ShardMap(spec: " 0-1:1, 2:0 ,3-5:1,6-7 : 0", shardCount: 8, serverCount: 2)
        #expect(map.shards(onServer: 0) == [2, 6, 7])
        #expect(map.shards(onServer: 1) == [0, 1, 3, 4, 5])
        #expect(try map.server(forShard: 2) == 0)
        #expect(try map.server(forShard: 5) == 1)
        #expect(map.spec == "0-1:1,2:0,3-5:1,6-7:0")
    }

    @Test(arguments: [
        ("0-3:0,4-7:2", "server 2"),                  // server out of range
        ("0-3:0,3-7:1", "shard 3 is mapped twice"),
        ("0-3:0,5-7:1", "shard(s) 4 are not mapped"),
        ("0-3:0,4-8:1", "exceed the shard count 8"),
        ("3-0:0,4-7:1", "runs backwards"),
        ("0-3,4-7:1", "is not 'shards:server'"),
        ("0-3:x,4-7:1", "is not a number"),
        ("a-3:0,4-7:1", "not a shard number or a range"),
        ("-1:0", "not a shard number or a range"),
        ("", "is not 'shards:server'"),
        ("0-3:0,,4-7:1", "is not 'shards:server'"),
        ("0-3:0:1,4-7:1", "is not 'shards:server'"),
    ])
    func invalidSpecsAreRejectedWithAClearMessage(spec: String, expected: String) {
        #expect {
            _ = try ShardMap(spec: spec, shardCount: 8, serverCount: 2)
        } throws: { error in
            guard let error = error as? StorageError, error.code == .invalidArgument else { return false }
            return error.message.contains(expected)
        }
    }

    @Test(arguments: [0, 8193, -1])
    func shardCountOutOfRangeIsRejected(count: Int) {
        #expect(throws: StorageError.self) { _ = try ShardMap(shardCount: count, serverCount: 2) }
    }

    @Test func zeroServersIsRejected() {
        #expect(throws: StorageError.self) { _ = try ShardMap(shardCount: 8, serverCount: 0) }
    }

    @Test func routesIdsToTheirShardsServer() throws {
        let map = try ShardMap(shardCount: 8, serverCount: 2)
        let id = try ShardedID(millisecondsSinceEpoch: 99, shard: 6, sequence: 1)
        #expect(try map.shard(of: id) == 6)
        #expect(try map.server(forShard: map.shard(of: id)) == 1)
        #expect(try map.schema(forShard: 6).name == "s0006")
    }

    @Test func shardsOutsideTheMapAreInvalidArguments() throws {
        let map = try ShardMap(shardCount: 8, serverCount: 2)
        // A forged or foreign id can name any of 8192 shards.
        let foreign = try ShardedID(millisecondsSinceEpoch: 99, shard: 100, sequence: 1)
        for attempt in [{ _ = try map.shard(of: foreign) }, { _ = try map.server(forShard: 8) }, { _ = try map.schema(forShard: -1) }] {
            #expect { try attempt() } throws: { ($0 as? StorageError)?.code == .invalidArgument }
        }
    }

    @Test func newUserShardIsStableCaseInsensitiveAndSpread() throws {
        let map = try ShardMap(shardCount: 8, serverCount: 2)
        #expect(map.shardForNewUser(username: "Alice") == map.shardForNewUser(username: "alice"))
        var counts = [Int](repeating: 0, count: 8)
        for index in 0..<8000 {
            let shard = map.shardForNewUser(username: "user\(index)")
            #expect((0..<8).contains(shard))
            counts[shard] += 1
        }
        // Uniform would be 1000 each; a broken hash piles users onto few shards.
        #expect(counts.allSatisfy { (700...1300).contains($0) }, "\(counts)")
    }

    @Test func directoryLivesOnTheFirstServer() throws {
        #expect(try ShardMap(spec: "0-7:1", shardCount: 8, serverCount: 2).directoryServer == 0)
    }
}
