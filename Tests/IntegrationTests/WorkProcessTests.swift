#if canImport(Glibc)
import Runtime
import Glibc
import S3
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

    static func dlq(_ arguments: [String]) async throws -> (Int32?, String) {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("darkroom-dlq-\(UUID().uuidString).out")
        defer { try? FileManager.default.removeItem(at: output) }
        let code = try await ChildProcess.run(
            "/bin/sh", ["-c", "exec \"$0\" jobs dlq \"$@\" >\"$OUT\" 2>/dev/null", ServeProcessTests.binary] + arguments,
            environment: TestStack.environment.merging(["OUT": output.path]) { $1 }, timeout: .seconds(60))
        return (code, (try? String(contentsOf: output, encoding: .utf8)) ?? "")
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
