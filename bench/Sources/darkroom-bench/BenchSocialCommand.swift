import API
import ArgumentParser
import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import Pipeline
import PostgresNIO
import Runtime
import ServiceLifecycle
import Storage
import RedisClient

/// `make bench`, social part (`bench/social`): fan-out rate for one post to N followers beside `redis-benchmark`
/// pipelined ZADD on the same Redis, and `GET /v1/feed` latency under concurrent clients. Writes a JSON summary to
/// stdout. Uses the stack the DARKROOM_* variables name; what it creates stays there (fresh names every run).
struct BenchSocialCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "social",
        abstract: "Benchmark feed fan-out and GET /v1/feed against the configured stack (see bench/README.md)."
    )

    @Option(help: "Followers of the fanned-out author.") var followers = 100_000
    @Option(help: "Concurrent GET /v1/feed clients.") var clients = 32
    @Option(help: "GET /v1/feed requests per client.") var requests = 200
    @Option(help: "redis-benchmark binary.") var redisBenchmark = "redis-benchmark"
    @Option(help: "redis-benchmark pipeline depth (-P).") var pipeline = 100

    func run() async throws {
        let (configuration, logger, dependencies) = try ProcessSetup.start("darkroom.bench")
        let social = SocialServices(dependencies: dependencies, configuration: configuration)
        let accounts = AccountServices(dependencies: dependencies, configuration: configuration)
        let app = buildApplication(
            configuration: configuration, readinessChecks: [], logger: Logger(label: "bench.http", factory: { _ in SwiftLogNoOpLogHandler() }),
            accounts: accounts, social: social)
        let group = ServiceGroup(configuration: .init(services: dependencies.services + [app], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            defer { tasks.cancelAll() }
            _ = try await Migrator().migrate(dependencies.postgres, logger: logger)
            let bench = Bench(configuration: configuration, dependencies: dependencies, logger: logger)
            var result: [String: Any] = [:]
            result["fanout"] = try await bench.fanOut(followers: followers)
            result["redis_benchmark"] = try bench.redisBenchmark(binary: redisBenchmark, requests: followers, pipeline: pipeline)
            if let ours = (result["fanout"] as? [String: Any])?["entries_per_s"] as? Double,
               let theirs = (result["redis_benchmark"] as? [String: Any])?["zadd_per_s"] as? Double, theirs > 0 {
                result["fanout_to_redis_benchmark_ratio"] = ours / theirs
            }
            result["feed_read"] = try await bench.feedReads(accounts: accounts, clients: clients, requests: requests)
            let data = try JSONSerialization.data(withJSONObject: result, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            await group.triggerGracefulShutdown()
        }
    }
}

private struct Bench {
    let configuration: DarkroomConfiguration
    let dependencies: DarkroomDependencies
    let logger: Logger
    var postgres: ShardedPostgres { dependencies.postgres }
    var redis: RedisClient { dependencies.redis }

    init(configuration: DarkroomConfiguration, dependencies: DarkroomDependencies, logger: Logger) {
        self.configuration = configuration
        self.dependencies = dependencies
        self.logger = logger
    }

    func newUser(_ prefix: String) async throws -> UserRecord {
        let name = "\(prefix)_\(UUID().uuidString.prefix(12).lowercased())"
        return try await UserRepository(postgres: postgres).create(NewUser(username: name, displayName: "", passwordHash: "x"), logger: logger)
    }

    func post(_ owner: ShardedID) async throws -> (MediaRecord, [OutboxRow]) {
        let id = try await postgres.mintID(shard: owner.shard)
        let digest = (0..<32).map { _ in UInt8.random(in: 0...255) }
        let hex = MediaKeys.hex(digest)
        let rendition = StoredRendition(
            preset: "w1080", fileExtension: "jpg", contentType: "image/jpeg", width: 1080, height: 720, size: 1000,
            key: MediaKeys.rendition(mediaID: id, preset: "w1080", fileExtension: "jpg", sha256Hex: hex), sha256: hex)
        let media = NewMedia(
            id: id, ownerID: owner, contentSHA256: digest, caption: "bench", hashtags: [], filter: "none", width: 1080, height: 720,
            blurhash: nil, location: nil, capturedAt: nil, cameraMake: nil, cameraModel: nil, renditions: [rendition])
        let outcome = try await MediaRepository(postgres: postgres).insert(media, logger: logger) { record in
            [try OutboxMessage(topic: .feed, encoding: MediaPublishedJob(mediaID: record.id, ownerID: record.ownerID))]
        }
        guard case .created(let record, let rows) = outcome else { throw ValidationError("bench media collided") }
        return (record, rows)
    }

    /// Runs the feed handler on a job and every chunk it enqueues; returns the number of jobs.
    func runChain(_ handler: FeedHandler, _ row: OutboxRow) async throws -> Int {
        try await JobChain.run(handler, from: Job(row), logger: logger)
    }

    /// Follower ids in the far future (nobody mints them), unique to this run.
    func fakeFollowers(_ count: Int) throws -> [ShardedID] {
        try ShardedID.farFuture(count: count)
    }

    func fanOut(followers count: Int) async throws -> [String: Any] {
        let author = try await newUser("bench_author")
        let followers = try fakeFollowers(count)
        let values = followers.map(\.rawValue)
        _ = try await postgres.query(shard: author.id.shard, timeout: .seconds(120)) { schema in
            "INSERT INTO \(schema).followers (user_id, follower_id) SELECT \(author.id), unnest(\(values)::bigint[])"
        }
        _ = try await postgres.query(shard: author.id.shard) { schema in
            "UPDATE \(schema).users SET follower_count = \(count) WHERE id = \(author.id)"
        }
        let (_, rows) = try await post(author.id)
        let feed = configuration.feeds.feedConfiguration
        let handler = FeedHandler(postgres: postgres, redis: redis, configuration: feed)
        let start = ContinuousClock.now
        let jobs = try await runChain(handler, rows[0])
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        // Leave the stack as it was: the feeds of nobody.
        for chunk in stride(from: 0, to: followers.count, by: 10_000) {
            _ = try await redis.del(followers[chunk..<min(chunk + 10_000, followers.count)].map { FeedStore.key(of: $0) })
        }
        return [
            "followers": count, "jobs": jobs, "chunk_size": feed.chunkSize, "seconds": seconds,
            "entries_per_s": Double(count) / seconds,
            "redis_commands_per_entry": 2,
        ]
    }

    func redisBenchmark(binary: String, requests: Int, pipeline: Int) throws -> [String: Any] {
        guard let url = URL(string: configuration.redis.url), let host = url.host else { throw ValidationError("DARKROOM_REDIS_URL has no host") }
        let port = url.port ?? 6379
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // One connection, pipelined: the same shape as the fan-out (one client, long pipelines), random keys so each
        // ZADD creates or grows a different set, like one feed per follower.
        var arguments = [binary, "-h", host, "-p", String(port), "-n", String(requests), "-P", String(pipeline), "-c", "1",
                         "-r", String(requests), "--csv"]
        if let password = url.password { arguments += ["-a", password] }
        arguments += ["ZADD", "darkroom:bench:zadd:__rand_int__", "0", "00000000000000000001"]
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        // --csv: a header line, then "ZADD ...","<rps>",...
        let line = text.split(separator: "\n").last { $0.contains("ZADD") } ?? ""
        let fields = line.split(separator: ",").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
        let rps = fields.count > 1 ? Double(fields[1]) : nil
        return ["zadd_per_s": rps ?? 0, "pipeline": pipeline, "connections": 1, "requests": requests]
    }

    func feedReads(accounts: AccountServices, clients: Int, requests: Int) async throws -> [String: Any] {
        let follows = FollowRepository(postgres: postgres)
        var authors: [ShardedID] = []
        for _ in 0..<20 { authors.append(try await newUser("bench_pub").id) }
        var readers: [(ShardedID, SessionToken)] = []
        for _ in 0..<clients {
            let reader = try await newUser("bench_reader").id
            for author in authors {
                _ = try await follows.writeFollowerSide(follower: reader, target: author, following: true, logger: logger)
                try await follows.applyTargetSide(follower: reader, target: author, following: true, logger: logger)
            }
            let token = SessionToken.random()
            try await accounts.sessions.create(token, userID: reader, ttl: .seconds(3600), logger: logger)
            readers.append((reader, token))
        }
        let handler = FeedHandler(postgres: postgres, redis: redis, configuration: configuration.feeds.feedConfiguration)
        for _ in 0..<5 {
            for author in authors {
                let (_, rows) = try await post(author)
                _ = try await runChain(handler, rows[0])
            }
        }
        let base = "http://\(configuration.http.host):\(configuration.http.port)/v1/feed"
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        defer { _ = client.shutdown() }
        // Warm-up: connections, the pools, code paths.
        for (_, token) in readers { _ = try await get(client, base, token) }
        let start = ContinuousClock.now
        let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
            for (_, token) in readers {
                group.addTask {
                    var mine: [Double] = []
                    for _ in 0..<requests { mine.append(try await get(client, base, token)) }
                    return mine
                }
            }
            var all: [Double] = []
            for try await some in group { all += some }
            return all.sorted()
        }
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        func percentile(_ p: Double) -> Double { latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] }
        return [
            "clients": clients, "requests": latencies.count, "page_size": 20, "p50_ms": percentile(0.5), "p99_ms": percentile(0.99),
            "max_ms": latencies.last ?? 0, "requests_per_s": Double(latencies.count) / seconds,
        ]
    }

    func get(_ client: HTTPClient, _ url: String, _ token: SessionToken) async throws -> Double {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Authorization", value: "Bearer \(token.value)")
        let start = ContinuousClock.now
        let response = try await client.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 22)
        let elapsed = ContinuousClock.now - start
        guard response.status == .ok, body.readableBytes > 0 else { throw ValidationError("GET /v1/feed answered \(response.status)") }
        return Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
    }
}
