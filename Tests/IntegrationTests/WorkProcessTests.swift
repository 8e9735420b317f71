#if canImport(Glibc)
import Glibc
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

/// `darkroom work` as an operator runs it: the real binary on the real stack, killed mid-job.
@Suite(.timeLimit(.minutes(3)))
struct WorkProcessTests {
    static let logger = Logger(label: "test.work")

    struct Fixture {
        var mediaID: ShardedID
        var keys: [ObjectKey]
    }

    /// A media row with two likes and a comment, and two objects, as a deleted media leaves them for cleanup.
    static func makeDeletedMedia(_ dependencies: DarkroomDependencies, shard: Int) async throws -> Fixture {
        let tag = UUID().uuidString.lowercased()
        let mediaID = try await dependencies.postgres.withTransaction(shard: shard) { connection, schema in
            let user = try await connection.query(
                "INSERT INTO \(schema).users (username, password_hash) VALUES (\("work-" + tag), 'x') RETURNING id", logger: logger
            ).collect()[0].decode(Int64.self)
            let media = try await connection.query(
                """
                INSERT INTO \(schema).media (owner_id, content_sha256, width, height, renditions, deleted_at)
                VALUES (\(user), decode(repeat('07', 32), 'hex'), 1, 1, '[]'::jsonb, now()) RETURNING id
                """, logger: logger
            ).collect()[0].decode(Int64.self)
            try await connection.query("INSERT INTO \(schema).likes (media_id, user_id) VALUES (\(media), 1), (\(media), 2)", logger: logger).collect()
            try await connection.query("INSERT INTO \(schema).comments (media_id, author_id, body) VALUES (\(media), 1, 'nice')", logger: logger).collect()
            return media
        }
        let keys = try ["a.jpg", "b.webp"].map { try ObjectKey("test/work/\(tag)/\($0)") }
        for key in keys { try await dependencies.objectStore.put(Array("bytes".utf8), at: key, contentType: "image/jpeg") }
        return Fixture(mediaID: ShardedID(rawValue: mediaID), keys: keys)
    }

    static func traces(_ fixture: Fixture, _ dependencies: DarkroomDependencies) async throws -> (objects: Int, rows: Int) {
        var objects = 0
        for key in fixture.keys {
            do {
                _ = try await dependencies.objectStore.head(key)
                objects += 1
            } catch let error as StorageError where error.code == .notFound {}
        }
        let id = fixture.mediaID
        let rows = try await dependencies.postgres.withConnection(shard: id.shard) { connection, schema in
            try await connection.query(
                "SELECT (SELECT count(*) FROM \(schema).likes WHERE media_id = \(id)) + (SELECT count(*) FROM \(schema).comments WHERE media_id = \(id))",
                logger: logger
            ).collect()[0].decode(Int64.self)
        }
        return (objects, Int(rows))
    }

    static func startWorker(name: String, stage: String = "cleanup", environment extra: [String: String], log: URL) throws -> ChildProcess {
        var environment = TestStack.environment
        environment["DARKROOM_WORKER_NAME"] = name
        for (key, value) in extra { environment[key] = value }
        return try ChildProcess(
            "/bin/sh", ["-c", "exec \"$0\" work --stage \"$2\" 2>\"$1\"", ServeProcessTests.binary, log.path, stage], environment: environment)
    }

    @Test func aWorkerKilledMidJobLosesNothing() async throws {
        let configuration = try TestStack.configuration()
        let dependencies = try DarkroomDependencies(configuration: configuration, logger: Self.logger)
        let logs = FileManager.default.temporaryDirectory.appendingPathComponent("darkroom-work-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: logs) }
        let stream = JobStream(topic: .cleanup)

        defer { Task { try? await dependencies.objectStore.shutdown() } }
        try await PostgresFixture.withRunning(dependencies.postgres) { _ in
            let first = "w1-\(UUID().uuidString.prefix(8))"
            // The first worker sleeps before each job: a wide window in which it holds the job undone.
            let worker1 = try Self.startWorker(
                name: first, environment: ["DARKROOM_JOB_HANDLER_DELAY_MS": "60000"], log: logs.appendingPathComponent("w1.log"))
            var killed = false
            defer { if !killed { worker1.signal(SIGKILL) } }

            // Other suites' servers may run cleanup workers too; try until our worker is the one holding the job.
            var held: (Fixture, String)?
            for attempt in 1...5 where held == nil {
                let fixture = try await Self.makeDeletedMedia(dependencies, shard: attempt % 8)
                let job = MediaDeletedJob(mediaID: fixture.mediaID, ownerID: fixture.mediaID, keys: fixture.keys.map(\.rawValue))
                let rows = try await dependencies.postgres.withTransaction(shard: fixture.mediaID.shard) { connection, _ in
                    try await Outbox.insert([try OutboxMessage(topic: .cleanup, encoding: job)], shard: fixture.mediaID.shard, on: connection, logger: Self.logger)
                }
                try await OutboxPublisher(postgres: dependencies.postgres, redis: dependencies.redis).publish(rows, logger: Self.logger)
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
            #expect(try await Self.traces(fixture, dependencies) == (2, 3), "nothing done yet")

            worker1.signal(SIGKILL)
            killed = true
            #expect(try await worker1.waitForExit(timeout: .seconds(10)) == 128 + SIGKILL)
            #expect(try await Self.traces(fixture, dependencies) == (2, 3), "killed before doing anything")

            let worker2 = try Self.startWorker(
                name: "w2-\(UUID().uuidString.prefix(8))", environment: ["DARKROOM_JOB_RECLAIM_IDLE_MS": "1000"],
                log: logs.appendingPathComponent("w2.log"))
            var stopped = false
            defer { if !stopped { worker2.signal(SIGKILL) } }
            let cleaned = try await eventually(timeout: .seconds(60), every: .milliseconds(200)) {
                try await Self.traces(fixture, dependencies) == (0, 0)
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
    static func dlq(_ arguments: [String]) async throws -> (Int32?, String) {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("darkroom-dlq-\(UUID().uuidString).out")
        defer { try? FileManager.default.removeItem(at: output) }
        let code = try await ChildProcess.run(
            "/bin/sh", ["-c", "exec \"$0\" jobs dlq \"$@\" >\"$OUT\" 2>/dev/null", ServeProcessTests.binary] + arguments,
            environment: TestStack.environment.merging(["OUT": output.path]) { $1 }, timeout: .seconds(60))
        return (code, (try? String(contentsOf: output, encoding: .utf8)) ?? "")
    }

    /// A `feed` fan-out of 3,000 followers in chunks of 1,000: the worker is killed after the first chunk, holding the
    /// second; another worker reclaims it and finishes. Every follower ends with the photo exactly once.
    @Test func aFeedWorkerKilledMidFanOutIsFinishedByAnotherWithEveryEntryOnce() async throws {
        let logs = FileManager.default.temporaryDirectory.appendingPathComponent("darkroom-feedkill-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: logs) }
        try await SocialStack.run { stack, client in
            let author = try await stack.user(client, "kill")
            let count = 3_000
            // Follower ids nobody will mint for decades: this test's own feeds.
            let base = try ShardedID(millisecondsSinceEpoch: (1 << 40) + Int64.random(in: 0..<(1 << 39)), shard: 0, sequence: 0)
            let followers = (0..<count).map { ShardedID(rawValue: base.rawValue + Int64($0) << 10) }
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

            let first = "feedkill1-\(UUID().uuidString.prefix(8))"
            let chunked = ["DARKROOM_FEED_CHUNK_SIZE": "1000"]
            let worker1 = try Self.startWorker(
                name: first, stage: "feed", environment: chunked.merging(["DARKROOM_JOB_HANDLER_DELAY_MS": "3000"]) { $1 },
                log: logs.appendingPathComponent("w1.log"))
            var killed = false
            defer { if !killed { worker1.signal(SIGKILL) } }

            let (photo, outbox) = try await stack.post(author.id)
            try await OutboxPublisher(postgres: stack.postgres, redis: stack.redis).publish(outbox, logger: Self.logger)
            let outboxID = String(try #require(outbox.first { $0.topic == .feed }).id)
            let stream = JobStream(topic: .feed)
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
            try #require(midway, "the worker under test never held a later chunk of the fan-out")
            worker1.signal(SIGKILL)
            killed = true
            #expect(try await worker1.waitForExit(timeout: .seconds(10)) == 128 + SIGKILL)
            let partial = try await withEntry(photo.id)
            #expect(partial.once < count, "killed mid fan-out")

            let worker2 = try Self.startWorker(
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

    @Test func theDeadLetterCommandListsRetriesAndDrops() async throws {
        try await QueueTestContext.with { context in
            let queue = context.queue("dlq-test")
            try await context.publish([#"{"a":1}"#, #"{"b":2}"#, #"{"c":3}"#], firstOutboxID: 900)
            for delivery in try await queue.readNew(count: 10, block: .milliseconds(100)) {
                try await queue.deadLetter(delivery, reason: DeadLetter.reason(DeadLetter.Reason.exhausted, detail: "test"))
            }
            let dlq = DeadLetterQueue(redis: context.redis, stream: context.stream)
            let letters = try await dlq.list()
            #expect(letters.count == 3)

            let (listCode, listed) = try await Self.dlq(["list", "--stage", context.topic.rawValue])
            #expect(listCode == 0)
            let lines = listed.split(separator: "\n")
            #expect(lines.count == 3)
            #expect(lines.first?.contains(#""outbox_id":900"#) == true, "\(listed)")
            #expect(lines.first?.contains(#""reason":"exhausted: test""#) == true, "\(listed)")

            #expect(try await Self.dlq(["retry", "--stage", context.topic.rawValue, "--id", letters[0].id]).0 == 0)
            #expect(try await dlq.count() == 2)
            let back = try await queue.readNew(count: 10, block: .milliseconds(100))
            #expect(back.map { try? QueuedJob(entry: $0.entry, deliveryCount: 1).outboxID } == [900])

            #expect(try await Self.dlq(["drop", "--stage", context.topic.rawValue, "--all"]).0 == 0)
            #expect(try await dlq.count() == 0)
            #expect(try await Self.dlq(["drop", "--stage", context.topic.rawValue]).0 != 0, "drop needs --id or --all")
        }
    }

    /// Whether a consumer of that name has joined the cleanup group.
    static func cleanupConsumerExists(_ name: String, redis: RedisClient) async throws -> Bool {
        let stream = JobStream(topic: .cleanup)
        _ = try await redis.xgroupCreate(stream.key, group: stream.group)
        let consumers = try await redis.send(RedisCommand("XINFO", "CONSUMERS", stream.key, stream.group)).elements()
        for consumer in consumers {
            let fields = try consumer.elements()
            for index in stride(from: 0, to: fields.count - 1, by: 2) where try fields[index].string() == "name" {
                if try fields[index + 1].string() == name { return true }
            }
        }
        return false
    }

    @Test(arguments: [("all", true), ("api", false)])
    func serveRunsWorkersUnlessTheRoleIsAPI(role: String, runsWorkers: Bool) async throws {
        let port = 41_000 + Int.random(in: 0..<8000)
        let name = "serve-\(role)-\(UUID().uuidString.prefix(8))"
        var environment = TestStack.environment
        environment["DARKROOM_HTTP_PORT"] = "\(port)"
        environment["DARKROOM_WORKER_NAME"] = name
        let server = try ChildProcess(
            "/bin/sh", ["-c", "exec \"$0\" serve --role \"$1\" 2>/dev/null", ServeProcessTests.binary, role], environment: environment)
        var stopped = false
        defer { if !stopped { server.signal(SIGKILL) } }
        let redis = try RedisTestContext.make().client
        let ready = try await eventually(timeout: .seconds(60), every: .milliseconds(100)) {
            let response = try? await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/health/ready"), timeout: .seconds(5))
            return response?.status == .ok
        }
        #expect(ready)
        if runsWorkers {
            #expect(try await eventually { try await Self.cleanupConsumerExists(name, redis: redis) })
        } else {
            // A worker joins the group on its first read, well within this; an API-only process never does.
            try await Task.sleep(for: .seconds(2))
            #expect(try await !Self.cleanupConsumerExists(name, redis: redis))
        }
        if runsWorkers {
            let stream = JobStream(topic: .cleanup)
            _ = try? await redis.send(RedisCommand("XGROUP", "DELCONSUMER", stream.key, stream.group, name))
        }
        await redis.close()
        server.signal(SIGTERM)
        let code = try await server.waitForExit(timeout: .seconds(30))
        stopped = code != nil
        #expect(code == 0)
    }
}
