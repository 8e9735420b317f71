import Foundation
import Logging
import PostgresNIO
import Storage
import Testing
import RedisClient

/// The outbox relay on scratch databases (only the test's rows) and the stack's Redis (a stream per test).
@Suite(.timeLimit(.minutes(3)))
struct OutboxRelayTests {
    func relay(_ db: ShardedPostgres, _ redis: RedisClient, server: Int = 0, batchSize: Int = 500) -> OutboxRelay {
        var configuration = OutboxRelay.Configuration()
        configuration.delay = .seconds(5)
        configuration.batchSize = batchSize
        return OutboxRelay(server: server, postgres: db, redis: redis, configuration: configuration, logger: OutboxFixture.logger)
    }

    @Test func publishesExactlyTheRowsDueAndMarksThem() async throws {
        try await OutboxFixture.withDatabase { db in
            try await QueueTestContext.with { context in
                let topic = context.topic
                let due = try await OutboxFixture.insert(5, topic: topic, server: 0, db: db, age: .seconds(60))
                let fresh = try await OutboxFixture.insert(3, topic: topic, server: 0, db: db, age: .zero)
                try await OutboxFixture.insert(2, topic: topic, server: 0, db: db, age: .seconds(120), publishedAgo: .seconds(60))
                let otherServer = try await OutboxFixture.insert(4, topic: topic, server: 1, db: db, age: .seconds(60))

                #expect(try await relay(db, context.redis).relayOnce() == 5)
                #expect(try await OutboxFixture.streamOutboxIDs(context.stream.key, redis: context.redis) == due, "due rows, in id order")
                #expect(try await OutboxFixture.unpublishedIDs(topic: topic, server: 0, db: db) == fresh, "young rows are left to their publisher")
                #expect(try await relay(db, context.redis).relayOnce() == 0, "nothing published twice")
                let entry = try #require(try await context.redis.xrange(context.stream.key, count: 1).first)
                let job = try QueuedJob(entry: entry, deliveryCount: 1)
                #expect(job.topic == topic)
                #expect(job.payload.contains("\"n\""))

                // The other server's relay does its own rows.
                #expect(try await OutboxFixture.unpublishedIDs(topic: topic, server: 1, db: db) == otherServer)
                #expect(try await relay(db, context.redis, server: 1).relayOnce() == 4)
                #expect(try await OutboxFixture.unpublishedIDs(topic: topic, server: 1, db: db).isEmpty)
            }
        }
    }

    @Test func concurrentRelaysPublishEveryRowOnce() async throws {
        try await OutboxFixture.withDatabase { db in
            try await QueueTestContext.with { context in
                let rowCount = 3000
                let ids = try await OutboxFixture.insert(rowCount, topic: context.topic, server: 0, db: db)
                let start = ContinuousClock.now
                try await withThrowingTaskGroup(of: Int.self) { group in
                    for _ in 0..<3 {
                        let relay = relay(db, context.redis, batchSize: 100)
                        group.addTask {
                            var total = 0
                            while true {
                                let published = try await relay.relayOnce()
                                if published == 0 { return total }
                                total += published
                            }
                        }
                    }
                    var total = 0
                    for try await published in group { total += published }
                    #expect(total == rowCount)
                }
                let elapsed = ContinuousClock.now - start
                let published = try await OutboxFixture.streamOutboxIDs(context.stream.key, redis: context.redis)
                #expect(published.count == rowCount, "each row XADDed once")
                #expect(Set(published) == Set(ids))
                #expect(try await OutboxFixture.unpublishedIDs(topic: context.topic, server: 0, db: db).isEmpty)
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                print("outbox relay: \(rowCount) rows by 3 relays (batch 100) in \(String(format: "%.2f", seconds)) s = \(Int(Double(rowCount) / seconds)) rows/s")
            }
        }
    }

    @Test func retentionDeletesOnlyOldPublishedRows() async throws {
        try await OutboxFixture.withDatabase { db in
            let topic = OutboxTopic(rawValue: "retention")
            let old = try await OutboxFixture.insert(3, topic: topic, server: 0, db: db, age: .seconds(26 * 3600), publishedAgo: .seconds(25 * 3600))
            let recent = try await OutboxFixture.insert(2, topic: topic, server: 0, db: db, age: .seconds(2 * 3600), publishedAgo: .seconds(3600))
            let stuck = try await OutboxFixture.insert(1, topic: topic, server: 0, db: db, age: .seconds(30 * 3600))
            let redis = try RedisTestContext.make().client
            let deleted = try await relay(db, redis).deleteExpired()
            await redis.close()
            #expect(deleted == 3)
            let left = try await db.query("SELECT id FROM public.outbox ORDER BY id", server: 0).map { try $0.decode(Int64.self) }
            #expect(left == (recent + stuck).sorted(), "recent published rows and unpublished rows of any age stay")
            #expect(Set(left).isDisjoint(with: old))
        }
    }
}
