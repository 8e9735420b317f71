import Foundation
import Logging
import PostgresNIO
import Storage
import Testing

/// Redis down while changes commit: the relay delivers every job once Redis is back. Stops the stack's Redis, so it
/// runs alone in the fault phase.
@Suite(.serialized, .enabled(if: TestStack.faultTestsEnabled, "fault tests run alone in phase 2 of make test"))
struct OutboxRelayFaultTests {
    @Test(.timeLimit(.minutes(3)))
    func rowsWrittenWhileRedisIsDownAreAllDeliveredAfterItRestarts() async throws {
        try await OutboxFixture.withDatabase { db in
            try await QueueTestContext.with { context in
                let topic = context.topic
                var configuration = OutboxRelay.Configuration()
                configuration.delay = .milliseconds(500)
                configuration.interval = .milliseconds(200)
                let relays = (0..<db.serverCount).map {
                    OutboxRelay(server: $0, postgres: db, redis: context.redis, configuration: configuration, logger: OutboxFixture.logger)
                }
                let publisher = OutboxPublisher(postgres: db, redis: context.redis)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    // The relays run throughout: they must survive Redis going away under them.
                    for relay in relays { group.addTask { try await relay.run() } }
                    defer { group.cancelAll() }

                    try await TestStack.stop(.redis)
                    var written: [Int64] = []
                    do {
                        for index in 0..<40 {
                            let shard = index % 8
                            let rows = try await db.withTransaction(shard: shard) { connection, _ in
                                try await Outbox.insert(
                                    [OutboxMessage(topic: topic, payload: #"{"i":\#(index)}"#)], shard: shard, on: connection, logger: OutboxFixture.logger)
                            }
                            written += rows.map(\.id)
                            // What the upload path does after commit; with Redis down it fails and leaves the row.
                            await #expect(throws: (any Error).self) { try await publisher.publish(rows, logger: OutboxFixture.logger) }
                        }
                        // A few relay ticks fail against the stopped Redis.
                        try await Task.sleep(for: .seconds(1))
                    } catch {
                        try await TestStack.start(.redis)
                        throw error
                    }
                    try await TestStack.start(.redis)

                    let delivered = try await eventually(timeout: .seconds(60), every: .milliseconds(200)) {
                        (try? await OutboxFixture.streamOutboxIDs(context.stream.key, redis: context.redis).count) ?? 0 >= written.count
                    }
                    #expect(delivered)
                    let published = try await OutboxFixture.streamOutboxIDs(context.stream.key, redis: context.redis)
                    #expect(Set(published) == Set(written), "none lost")
                    #expect(published.count == written.count, "none twice")
                    for server in 0..<db.serverCount {
                        #expect(try await OutboxFixture.unpublishedIDs(topic: topic, server: server, db: db).isEmpty)
                    }
                }
            }
        }
    }
}
