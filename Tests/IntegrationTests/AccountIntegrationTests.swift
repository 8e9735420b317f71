import Runtime
import API
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Pipeline
import PostgresNIO
import ServiceLifecycle
import Storage
import TestSupport
import Testing

/// The real application on the test stack (PostgreSQL ×2, Redis, SeaweedFS), bcrypt at cost 4, driven through
/// `.router`: accounts, sessions, media, the CDN origin and the social routes. With `workers`, the process also runs
/// every stage's workers and the outbox relays, as `darkroom serve` does.
struct AccountStack {
    let configuration: DarkroomConfiguration
    let dependencies: DarkroomDependencies
    let metrics: DarkroomMetrics
    let services: AccountServices
    let media: MediaServices
    let social: SocialServices

    static let logger = Logger(label: "test.accounts")

    static func run(
        sessionTTLSeconds: Int = 2_592_000, environment overrides: [String: String] = [:], workers: Bool = false,
        feed: FeedConfiguration? = nil, live: Bool = false, geoKey: String? = nil,
        _ body: @Sendable (AccountStack, any TestClientProtocol) async throws -> Void
    ) async throws {
        _ = try TestStack.name
        var environment = TestStack.environment
        environment["DARKROOM_BCRYPT_COST"] = "4"
        environment["DARKROOM_SESSION_TTL_SECONDS"] = String(sessionTTLSeconds)
        // The test runner is not `darkroom`: the render workers are the built binary.
        environment["DARKROOM_RENDER_WORKER_EXECUTABLE"] = environment["DARKROOM_RENDER_WORKER_EXECUTABLE"]
            ?? TestStack.repositoryRoot.appendingPathComponent(".build/debug/darkroom").path
        // Suites run in parallel and share one Redis and (in router tests) one "unknown" address: generous limits keep
        // the limits' code path in every test without any test tripping them. Rate-limit tests set tight ones.
        for entry in DarkroomConfiguration.RateLimits.variables { environment[entry.variable] = "1000000/1s" }
        // Tests sign up concurrently (races on one name) at cost 4; the bounded queue has its own tests.
        environment["DARKROOM_BCRYPT_QUEUE"] = "64"
        environment.merge(overrides) { $1 }
        let configuration = try DarkroomConfiguration(environment: environment)
        let dependencies = try DarkroomDependencies(configuration: configuration, logger: logger)
        let metrics = DarkroomMetrics()
        var social = SocialServices(
            postgres: dependencies.postgres, redis: dependencies.redis,
            feedConfiguration: feed ?? configuration.feeds.feedConfiguration, cdnBaseURL: configuration.cdnBaseURL)
        // A place index of the test's own: the stack's Redis is shared and never emptied.
        if let geoKey { social.geo = GeoSearch(index: GeoIndex(redis: dependencies.redis, key: geoKey), media: social.media) }
        let stack = AccountStack(
            configuration: configuration,
            dependencies: dependencies,
            metrics: metrics,
            services: AccountServices(dependencies: dependencies, configuration: configuration),
            media: MediaServices(
                dependencies: dependencies, configuration: configuration, metrics: UploadMetrics(factory: metrics.factory), logger: logger,
                metricsFactory: metrics.factory),
            social: social
        )
        let app = buildApplication(
            configuration: configuration, readinessChecks: dependencies.readinessChecks, logger: logger,
            accounts: stack.services, media: stack.media, metrics: stack.metrics, social: stack.social
        )
        var services: [any Service] = dependencies.services + [stack.media.renderPool]
        if workers {
            services += try WorkerRuntime(stages: nil, configuration: configuration, dependencies: dependencies, logger: logger).services
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            let serviceGroup = ServiceGroup(configuration: .init(services: services, logger: logger))
            group.addTask { try await serviceGroup.run() }
            defer { group.cancelAll() }
            _ = try await Migrator().migrate(dependencies.postgres, logger: logger)
            // `.live` serves on a real socket, so requests have a peer address (rate limits per address).
            try await app.test(live ? .live : .router) { client in try await body(stack, client) }
            await serviceGroup.triggerGracefulShutdown()
        }
    }

    /// A fresh username whose account lands on a shard of `server`.
    func username(onServer server: Int) throws -> String {
        let db = dependencies.postgres
        while true {
            let candidate = Self.uniqueName("srv\(server)")
            if try db.server(forShard: db.shardMap.shardForNewUser(username: candidate)) == server { return candidate }
        }
    }

    /// Fresh per test run: the stack's database is shared and never emptied.
    static func uniqueName(_ prefix: String) -> String {
        "\(prefix)_\(UUID().uuidString.prefix(8).lowercased())"
    }
}


func errorCode(_ body: ByteBuffer) throws -> String {
    try JSONDecoder().decode(ErrorResponse.self, from: Data(body.readableBytesView)).error.code
}

@Suite(.timeLimit(.minutes(2)))
struct AccountIntegrationTests {
    @Test func signUpWritesTheRowOnTheShardItsIDNamesAndTheDirectoryEntry() async throws {
        try await AccountStack.run { stack, client in
            let username = AccountStack.uniqueName("it")
            let user = try await client.signUp(username)
            let id = try #require(ShardedID(string: user.id))
            let db = stack.dependencies.postgres
            #expect(id.shard == db.shardMap.shardForNewUser(username: username))
            let rows = try await db.query(shard: id.shard) { "SELECT username, password_hash FROM \($0).users WHERE id = \(id)" }
            let (stored, hash) = try #require(try rows.first?.decode((String, String).self))
            #expect(stored == username)
            #expect(hash.hasPrefix("$2"))
            // Only that shard's server holds it.
            let schema = try ShardSchema(shard: id.shard)
            let other = 1 - (try db.server(forShard: id.shard))
            let elsewhere = try await db.query("SELECT to_regclass(\(schema.name + ".users")) IS NOT NULL", server: other)
            #expect(try elsewhere.first?.decode(Bool.self) == false)
            let directory = try await db.query("SELECT user_id FROM public.usernames WHERE username = \(username)", server: db.shardMap.directoryServer)
            #expect(try directory.first?.decode(ShardedID.self) == id)
        }
    }

    @Test func theSameUsernameAgainIs409InAnyCase() async throws {
        try await AccountStack.run { _, client in
            let username = AccountStack.uniqueName("dup")
            _ = try await client.signUp(username)
            for spelling in [username, username.uppercased()] {
                let again = try await client.json(.post, "/v1/users", #"{"username":"\#(spelling)","password":"whatever1"}"#)
                #expect(again.status == .conflict)
                #expect(try errorCode(again.body) == "username_taken")
            }
        }
    }

    @Test func concurrentSignupsForOneNameYieldExactlyOneAccount() async throws {
        try await AccountStack.run { _, client in
            let username = AccountStack.uniqueName("race")
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<6 {
                    group.addTask { try await client.json(.post, "/v1/users", #"{"username":"\#(username)","password":"racing123"}"#).status }
                }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .created }.count == 1)
            #expect(statuses.filter { $0 == .conflict }.count == 5)
        }
    }

    @Test func usersAreReadableByIDAndUnknownOrMalformedIDsAre404() async throws {
        try await AccountStack.run { _, client in
            let alice = try await client.signUp(AccountStack.uniqueName("alice"))
            let bob = try await client.signUp(AccountStack.uniqueName("bob"))
            let session = try await client.logIn(bob.username)
            let read = try await client.json(.get, "/v1/users/\(alice.id)", token: session.token)
            #expect(read.status == .ok)
            #expect(try JSONDecoder().decode(UserResponse.self, from: Data(read.body.readableBytesView)) == alice)
            let aliceID = try #require(ShardedID(string: alice.id))
            let unknownSameShard = try ShardedID(millisecondsSinceEpoch: 1, shard: aliceID.shard, sequence: 1)
            let shardOutsideTheMap = try ShardedID(millisecondsSinceEpoch: 1, shard: 4000, sequence: 1)
            for id in [unknownSameShard.description, shardOutsideTheMap.description, "abc", "-1", "99999999999999999999999"] {
                let answer = try await client.json(.get, "/v1/users/\(id)")
                #expect(answer.status == .notFound, "id \(id)")
                #expect(try errorCode(answer.body) == "not_found")
            }
        }
    }

    @Test func aReservationLeftByACrashedSignupIsReclaimedOnceStale() async throws {
        try await AccountStack.run { stack, client in
            let db = stack.dependencies.postgres
            let stale = AccountStack.uniqueName("stale")
            let fresh = AccountStack.uniqueName("fresh")
            // A directory row whose user row was never written: as if the process died between the two inserts.
            for (name, age) in [(stale, 3600), (fresh, 0)] {
                let shard = db.shardMap.shardForNewUser(username: name)
                let orphan = try await db.mintID(shard: shard)
                _ = try await db.query(
                    "INSERT INTO public.usernames (username, user_id, created_at) VALUES (\(name), \(orphan), now() - make_interval(secs => \(Double(age))))",
                    server: db.shardMap.directoryServer)
            }
            let login = try await client.json(.post, "/v1/sessions", #"{"username":"\#(stale)","password":"correct horse"}"#)
            #expect(login.status == .unauthorized, "a reservation is not an account")
            let user = try await client.signUp(stale)
            #expect(user.username == stale)
            let blocked = try await client.json(.post, "/v1/users", #"{"username":"\#(fresh)","password":"correct horse"}"#)
            #expect(blocked.status == .conflict, "a recent reservation may be a signup in flight")
        }
    }

    @Test func metricsShowTheSignup() async throws {
        try await AccountStack.run { _, client in
            _ = try await client.signUp(AccountStack.uniqueName("metric"))
            let text = try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
            #expect(text.contains("darkroom_signups_total 1"))
            #expect(text.contains(#"darkroom_http_requests_total{route="/v1/users",method="POST",status="201"} 1"#))
        }
    }
}
