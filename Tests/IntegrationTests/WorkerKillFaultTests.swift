#if canImport(Glibc)
import Runtime
import Glibc
import RedisClient
#endif
import API
import AsyncHTTPClient
import Foundation
import Logging
import NIOHTTP1
import PostgresNIO
import Pipeline
import Storage
import Testing

/// `darkroom work` killed with SIGKILL mid-job. These run alone (phase 2 of `make test`): any other worker on the
/// stack (a `serve --role all`, an in-process runtime) could take the job and leave nothing to reclaim.
@Suite(.serialized, .timeLimit(.minutes(3)), .enabled(if: TestStack.faultTestsEnabled, "fault tests run alone in phase 2 of make test"))
struct WorkerKillFaultTests {
    /// Earlier suites leave jobs in the stage's stream that no worker took; the slowed-down worker under test would
    /// spend the test on them. Only jobs published from now on are delivered (XGROUP SETID $); the group is created
    /// first if needed, since XPENDING on a missing group is an error.
    static func skipBacklog(_ stream: JobStream, _ redis: RedisClient) async throws {
        _ = try await redis.xgroupCreate(stream.key, group: stream.group)
        try await redis.send(RedisCommand("XGROUP", "SETID", stream.key, stream.group, "$"))
    }

    @Test func aWorkerKilledMidJobLosesNothing() async throws {
        let configuration = try TestStack.configuration()
        let dependencies = try DarkroomDependencies(configuration: configuration, logger: WorkProcessTests.logger)
        let logs = FileManager.default.temporaryDirectory.appendingPathComponent("darkroom-work-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: logs) }
        let stream = JobStream(topic: .cleanup)
        try await Self.skipBacklog(stream, dependencies.redis)

        defer { Task { try? await dependencies.objectStore.shutdown() } }
        try await PostgresFixture.withRunning(dependencies.postgres) { _ in
            let first = "w1-\(UUID().uuidString.prefix(8))"
            // The first worker sleeps before each job: a wide window in which it holds the job undone.
            let worker1 = try WorkProcessTests.startWorker(
                name: first, environment: ["DARKROOM_JOB_HANDLER_DELAY_MS": "60000"], log: logs.appendingPathComponent("w1.log"))
            var killed = false
            defer { if !killed { worker1.signal(SIGKILL) } }

            // Other suites' servers may run cleanup workers too; try until our worker is the one holding the job.
            var held: (WorkProcessTests.Fixture, String)?
            for attempt in 1...5 where held == nil {
                let fixture = try await WorkProcessTests.makeDeletedMedia(dependencies, shard: attempt % 8)
                let job = MediaDeletedJob(mediaID: fixture.mediaID, ownerID: fixture.mediaID, keys: fixture.keys.map(\.rawValue))
                let rows = try await dependencies.postgres.withTransaction(shard: fixture.mediaID.shard) { connection, _ in
                    try await Outbox.insert([try OutboxMessage(topic: .cleanup, encoding: job)], shard: fixture.mediaID.shard, on: connection, logger: WorkProcessTests.logger)
                }
                try await OutboxPublisher(postgres: dependencies.postgres, redis: dependencies.redis).publish(rows, logger: WorkProcessTests.logger)
                let outboxID = String(rows[0].id)
                var owner: RedisPendingEntry?
                _ = try await eventually(timeout: .seconds(60)) {
                    let pending = try await dependencies.redis.xpending(stream.key, group: stream.group, count: 1000)
                    for entry in pending {
                        let body = try await dependencies.redis.xrange(stream.key, start: entry.id, end: entry.id, count: 1).first
                        if body?.string("outbox_id") == outboxID { owner = entry }
                    }
                    return owner != nil
                }
                if let owner, owner.consumer == first { held = (fixture, owner.id) }
            }
            let (fixture, entryID) = try #require(held, "the worker under test never took the job")
            #expect(try await WorkProcessTests.traces(fixture, dependencies) == (2, 3), "nothing done yet")

            worker1.signal(SIGKILL)
            killed = true
            #expect(try await worker1.waitForExit(timeout: .seconds(10)) == 128 + SIGKILL)
            #expect(try await WorkProcessTests.traces(fixture, dependencies) == (2, 3), "killed before doing anything")

            let worker2 = try WorkProcessTests.startWorker(
                name: "w2-\(UUID().uuidString.prefix(8))", environment: ["DARKROOM_JOB_RECLAIM_IDLE_MS": "1000"],
                log: logs.appendingPathComponent("w2.log"))
            var stopped = false
            defer { if !stopped { worker2.signal(SIGKILL) } }
            let cleaned = try await eventually(timeout: .seconds(60), every: .milliseconds(200)) {
                try await WorkProcessTests.traces(fixture, dependencies) == (0, 0)
            }
            #expect(cleaned, "the second worker reclaimed the job and did it")
            let stillPending = try await eventually(timeout: .seconds(30)) {
                try await dependencies.redis.xpending(stream.key, group: stream.group, start: entryID, end: entryID, count: 1).isEmpty
            }
            #expect(stillPending, "acknowledged")
            #expect(try await DeadLetterQueue(redis: dependencies.redis, stream: stream).list(count: 1000).allSatisfy { $0.originalID != entryID })

            worker2.signal(SIGTERM)
            let code = try await worker2.waitForExit(timeout: .seconds(30))
            stopped = code != nil
            #expect(code == 0, "a graceful shutdown exits 0")
            if !cleaned || code != 0 {
                for name in ["w1.log", "w2.log"] {
                    print("--- \(name)\n" + ((try? String(contentsOf: logs.appendingPathComponent(name), encoding: .utf8)) ?? ""))
                }
            }
        }
        await dependencies.redis.close()
        try await dependencies.objectStore.shutdown()
    }

    /// Runs `darkroom jobs dlq ...`; returns the exit code and standard output.

    /// A `feed` fan-out of 3,000 followers in chunks of 1,000: the worker is killed after the first chunk, holding the
    /// second; another worker reclaims it and finishes. Every follower ends with the photo exactly once.
    @Test func aFeedWorkerKilledMidFanOutIsFinishedByAnotherWithEveryEntryOnce() async throws {
        let logs = FileManager.default.temporaryDirectory.appendingPathComponent("darkroom-feedkill-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: logs) }
        try await SocialStack.run { stack, client in
            let author = try await stack.user(client, "kill")
            let count = 3_000
            let followers = try ShardedID.farFuture(count: count)
            let values = followers.map(\.rawValue)
            _ = try await stack.postgres.query(shard: author.id.shard) { schema in
                "INSERT INTO \(schema).followers (user_id, follower_id) SELECT \(author.id), unnest(\(values)::bigint[])"
            }
            _ = try await stack.postgres.query(shard: author.id.shard) { "UPDATE \($0).users SET follower_count = \(count) WHERE id = \(author.id)" }
            let member = FeedStore.member
            func withEntry(_ photo: ShardedID) async throws -> (once: Int, wrong: Int) {
                let replies = try await stack.redis.pipeline(followers.map { RedisCommand("ZRANGE", FeedStore.key(of: $0), 0, -1) })
                var once = 0
                var wrong = 0
                for reply in replies {
                    let entries = try reply.strings()
                    if entries == [member(photo)] { once += 1 } else if !entries.isEmpty { wrong += 1 }
                }
                return (once, wrong)
            }

            let stream = JobStream(topic: .feed)
            try await Self.skipBacklog(stream, stack.redis)
            let first = "feedkill1-\(UUID().uuidString.prefix(8))"
            let chunked = ["DARKROOM_FEED_CHUNK_SIZE": "1000"]
            let worker1 = try WorkProcessTests.startWorker(
                name: first, stage: "feed", environment: chunked.merging(["DARKROOM_JOB_HANDLER_DELAY_MS": "3000"]) { $1 },
                log: logs.appendingPathComponent("w1.log"))
            var killed = false
            defer { if !killed { worker1.signal(SIGKILL) } }

            let (photo, outbox) = try await stack.post(author.id)
            try await OutboxPublisher(postgres: stack.postgres, redis: stack.redis).publish(outbox, logger: WorkProcessTests.logger)
            let outboxID = String(try #require(outbox.first { $0.topic == .feed }).id)
            // Wait for the first chunk to land and the worker to hold the next one (it sleeps before each job).
            var heldEntry: String?
            let midway = try await eventually(timeout: .seconds(90), every: .milliseconds(100)) {
                guard try await withEntry(photo.id).once >= 1_000 else { return false }
                for entry in try await stack.redis.xpending(stream.key, group: stream.group, count: 1000) where entry.consumer == first {
                    let body = try await stack.redis.xrange(stream.key, start: entry.id, end: entry.id, count: 1).first
                    if body?.string("outbox_id") == outboxID { heldEntry = entry.id }
                }
                return heldEntry != nil
            }
            if !midway {
                print("--- w1.log\n" + ((try? String(contentsOf: logs.appendingPathComponent("w1.log"), encoding: .utf8)) ?? ""))
                print("entries: \(try await withEntry(photo.id))")
            }
            try #require(midway, "the worker under test never held a later chunk of the fan-out")
            worker1.signal(SIGKILL)
            killed = true
            #expect(try await worker1.waitForExit(timeout: .seconds(10)) == 128 + SIGKILL)
            let partial = try await withEntry(photo.id)
            #expect(partial.once < count, "killed mid fan-out")

            let worker2 = try WorkProcessTests.startWorker(
                name: "feedkill2-\(UUID().uuidString.prefix(8))", stage: "feed",
                environment: chunked.merging(["DARKROOM_JOB_RECLAIM_IDLE_MS": "1000"]) { $1 }, log: logs.appendingPathComponent("w2.log"))
            var stopped = false
            defer { if !stopped { worker2.signal(SIGKILL) } }
            let finished = try await eventually(timeout: .seconds(90), every: .milliseconds(200)) {
                try await withEntry(photo.id).once == count
            }
            #expect(finished, "the reclaimed chunk and the ones after it were done")
            #expect(try await withEntry(photo.id).wrong == 0, "no feed holds anything but the photo, once")
            let held = try #require(heldEntry)
            let acknowledged = try await eventually(timeout: .seconds(30)) {
                try await stack.redis.xpending(stream.key, group: stream.group, start: held, end: held, count: 1).isEmpty
            }
            #expect(acknowledged)
            worker2.signal(SIGTERM)
            stopped = try await worker2.waitForExit(timeout: .seconds(30)) != nil
            _ = try await stack.redis.del(followers.map { FeedStore.key(of: $0) })
            if !finished {
                for name in ["w1.log", "w2.log"] {
                    print("--- \(name)\n" + ((try? String(contentsOf: logs.appendingPathComponent(name), encoding: .utf8)) ?? ""))
                }
            }
        }
    }
}
