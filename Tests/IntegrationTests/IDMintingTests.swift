import Foundation
import Logging
import Storage
import Testing

/// `sNNNN.next_id()` on both servers: uniqueness, shard bits, order.
/// Runs in its own databases so no other suite mints on these shards meanwhile.
@Suite(.timeLimit(.minutes(3)))
struct IDMintingTests {
    let logger = PostgresFixture.logger

    @Test func twentyThousandConcurrentIdsAreUniqueAndCarryTheirShard() async throws {
        try await PostgresFixture.withScratchDatabases { urls throws in
            let db = ShardedPostgres(configuration: try ShardedPostgresConfiguration(urls: urls, shardCount: 8), logger: logger)
            try await PostgresFixture.withRunning(db) { db throws in
                _ = try await Migrator().migrate(db, logger: logger)
                let total = 20_000
                let inFlight = 16
                let shards = db.shardMap.shardCount
                let started = Date()
                let minted = try await withThrowingTaskGroup(of: (Int, ShardedID).self) { group in
                    var next = 0
                    func addMint() {
                        let shard = next % shards
                        next += 1
                        group.addTask { (shard, try await db.mintID(shard: shard)) }
                    }
                    while next < inFlight { addMint() }
                    var minted: [(shard: Int, id: ShardedID)] = []
                    minted.reserveCapacity(total)
                    while let result = try await group.next() {
                        minted.append(result)
                        if next < total { addMint() }
                    }
                    return minted
                }
                let finished = Date()
                print("minted \(total) ids, \(inFlight) in flight over \(shards) shards on 2 servers: \(Int(Double(total) / finished.timeIntervalSince(started))) ids/s")

                #expect(minted.count == total)
                #expect(Set(minted.map(\.id)).count == total)
                let wrongShard = minted.filter { $0.id.shard != $0.shard }
                #expect(wrongShard.isEmpty, "ids whose shard bits differ from the minting schema: \(wrongShard.prefix(5))")
                // Both servers took part.
                let servers = Set(try minted.map { try db.server(forShard: $0.id.shard) })
                #expect(servers == [0, 1])
                // Timestamps are the minting time (within the run, allowing for ms truncation and clock reads).
                let slack: TimeInterval = 1
                #expect(minted.allSatisfy { $0.id.timestamp >= started.addingTimeInterval(-slack) && $0.id.timestamp <= finished.addingTimeInterval(slack) })
            }
        }
    }

    @Test func idsMintedOneAfterAnotherOnAShardStrictlyIncrease() async throws {
        try await PostgresFixture.withScratchDatabases { urls throws in
            let db = ShardedPostgres(configuration: try ShardedPostgresConfiguration(urls: urls, shardCount: 8), logger: logger)
            try await PostgresFixture.withRunning(db) { db throws in
                _ = try await Migrator().migrate(db, logger: logger)
                // One shard per server; 2,500 ids cross the 10-bit sequence wrap twice.
                for shard in [2, 6] {
                    var previous: ShardedID?
                    var wraps = 0
                    for _ in 0..<2_500 {
                        let id = try await db.mintID(shard: shard)
                        #expect(id.shard == shard)
                        if let previous {
                            try #require(previous < id, "shard \(shard): \(id) (\(id.millisecondsSinceEpoch) ms, seq \(id.sequence)) after \(previous) (\(previous.millisecondsSinceEpoch) ms, seq \(previous.sequence))")
                            if id.sequence < previous.sequence { wraps += 1 }
                        }
                        previous = id
                    }
                    #expect(wraps >= 2)
                }
            }
        }
    }

    @Test func idsMintedLaterSortAfterEarlierOnesAcrossShards() async throws {
        try await PostgresFixture.withStack { db throws in
            let early = try await db.mintID(shard: 1)
            try await Task.sleep(for: .milliseconds(5))
            let late = try await db.mintID(shard: 7)
            #expect(early < late)
            #expect(early.shard == 1)
            #expect(late.shard == 7)
            #expect(db.shardMap.directoryServer == 0)
        }
    }
}
