import RedisClient
import TestSupport
import Runtime
import API
import Foundation
import Logging
import Pipeline
import PostgresNIO
import Storage
import Testing

/// The cleanup stage's handler on the real stack, called directly.
@Suite(.timeLimit(.minutes(2)))
struct CleanupHandlerTests {
    static let logger = Logger(label: "test.cleanup")

    func job(_ payload: String, outboxID: Int64 = 1) -> Job {
        Job(outboxID: outboxID, shard: 0, topic: .cleanup, payload: payload, streamEntryID: "1-0", deliveryCount: 1)
    }

    var context: JobContext { JobContext(logger: Self.logger) { _, _, _, _ in } }

    @Test func removesObjectsLikesAndCommentsAndIsIdempotent() async throws {
        let dependencies = try DarkroomDependencies(configuration: try TestStack.configuration(), logger: Self.logger)
        do {
            try await PostgresFixture.withRunning(dependencies.postgres) { _ in
                let fixture = try await WorkProcessTests.makeDeletedMedia(dependencies, shard: 5)
                #expect(try await WorkProcessTests.traces(fixture, dependencies) == (2, 3))
                let handler = CleanupHandler(
                    objectStore: dependencies.objectStore, postgres: dependencies.postgres,
                    feeds: FeedCleaner(postgres: dependencies.postgres, redis: dependencies.redis))
                let payload = try OutboxMessage(
                    topic: .cleanup, encoding: MediaDeletedJob(mediaID: fixture.mediaID, ownerID: fixture.mediaID, keys: fixture.keys.map(\.rawValue))
                ).payload
                try await handler.handle(job(payload), context: context)
                #expect(try await WorkProcessTests.traces(fixture, dependencies) == (0, 0))
                // Delivered again (a worker died before XACK): same outcome, no error.
                try await handler.handle(job(payload), context: context)
                #expect(try await WorkProcessTests.traces(fixture, dependencies) == (0, 0))
            }
        } catch {
            try await dependencies.objectStore.shutdown()
            throw error
        }
        try await dependencies.objectStore.shutdown()
        await dependencies.redis.close()
    }

    @Test(arguments: [#"{"nope":1}"#, #"{"media_id":"1","owner_id":"1","keys":[""]}"#])
    func aJobThatCanNeverSucceedIsInvalid(payload: String) async throws {
        let handler = CleanupHandler(objectStore: InMemoryObjectStore(), postgres: ShardedPostgres(configuration: try PostgresFixture.stackConfiguration()), feeds: nil)
        do {
            try await handler.handle(job(payload), context: context)
            Issue.record("must throw")
        } catch let error as PipelineError {
            #expect(error.code == .invalidJob)
        }
    }
}
