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
import RedisClient

/// The application with the social routes on the test stack, plus direct access to the handlers and outbox so tests
/// can run jobs without the queue runtime.
struct SocialStack {
    let dependencies: DarkroomDependencies
    let social: SocialServices
    let feed: FeedConfiguration

    static let logger = Logger(label: "test.social")

    var postgres: ShardedPostgres { dependencies.postgres }
    var redis: RedisClient { dependencies.redis }

    static func run(
        feed: FeedConfiguration = FeedConfiguration(),
        _ body: @Sendable (SocialStack, any TestClientProtocol) async throws -> Void
    ) async throws {
        try await AccountStack.run(feed: feed) { stack, client in
            try await body(SocialStack(dependencies: stack.dependencies, social: stack.social, feed: feed), client)
        }
    }

    // MARK: - Users and media

    struct TestUser: Sendable {
        var id: ShardedID
        var token: String
    }

    /// Signs up and logs in a fresh user.
    func user(_ client: any TestClientProtocol, _ prefix: String = "u") async throws -> TestUser {
        let name = AccountStack.uniqueName(prefix)
        let user = try await client.signUp(name)
        let session = try await client.logIn(name)
        return TestUser(id: try #require(ShardedID(string: user.id)), token: session.token)
    }

    /// A media row with fake renditions, written like an upload writes it (with its `feed` outbox row).
    func post(_ owner: ShardedID, caption: String = "", hashtags: [String] = []) async throws -> (MediaRecord, [OutboxRow]) {
        let id = try await postgres.mintID(shard: owner.shard)
        let digest = (0..<32).map { _ in UInt8.random(in: 0...255) }
        let rendition = StoredRendition(
            preset: "w1080", fileExtension: "jpg", contentType: "image/jpeg", width: 1080, height: 720, size: 1000,
            key: MediaKeys.rendition(mediaID: id, preset: "w1080", fileExtension: "jpg", sha256Hex: MediaKeys.hex(digest)),
            sha256: MediaKeys.hex(digest))
        let media = NewMedia(
            id: id, ownerID: owner, contentSHA256: digest, caption: caption, hashtags: hashtags, filter: "none", width: 1080,
            height: 720, blurhash: "LKO2?U%2Tw=w]~RBVZRi};RPxuwH", location: nil, capturedAt: nil, cameraMake: nil, cameraModel: nil,
            renditions: [rendition])
        let outcome = try await MediaRepository(postgres: postgres).insert(media, logger: Self.logger) { record in
            [try OutboxMessage(topic: .feed, encoding: MediaPublishedJob(mediaID: record.id, ownerID: record.ownerID))]
        }
        guard case .created(let record, let rows) = outcome else { throw TestFailure("media insert was a duplicate") }
        return (record, rows)
    }

    // MARK: - Jobs

    /// Outbox rows of `topic` whose payload field `field` equals `value`, on every server, oldest first.
    func outboxRows(topic: OutboxTopic, field: String, equals value: ShardedID) async throws -> [OutboxRow] {
        var rows: [OutboxRow] = []
        for server in 0..<postgres.serverCount {
            let found = try await postgres.query(
                """
                SELECT id, shard, topic, payload::text, created_at FROM public.outbox
                WHERE topic = \(topic.rawValue) AND payload->>\(field) = \(value.description) ORDER BY id
                """,
                server: server)
            for row in found {
                let (id, shard, topic, payload, createdAt) = try row.decode((Int64, Int, String, String, Date).self)
                rows.append(OutboxRow(id: id, shard: shard, topic: OutboxTopic(rawValue: topic), payload: payload, createdAt: createdAt))
            }
        }
        return rows
    }

    static func job(_ row: OutboxRow) -> Job { Job(row) }

    /// Runs `handler` on `job` and on every follow-up job it enqueues; returns how many jobs ran.
    @discardableResult
    static func runChain(_ handler: some JobHandler, _ first: Job) async throws -> Int {
        try await JobChain.run(handler, from: first, logger: logger)
    }

    var feedHandler: FeedHandler { FeedHandler(postgres: postgres, redis: redis, configuration: feed) }
    var followHandler: FollowHandler { FollowHandler(postgres: postgres, redis: redis, configuration: feed) }
    var activityHandler: ActivityHandler { ActivityHandler(redis: redis) }

    /// Runs every `follow` job the follower's changes wrote.
    func runFollowJobs(follower: ShardedID) async throws {
        for row in try await outboxRows(topic: .follow, field: "follower_id", equals: follower) {
            try await Self.runChain(followHandler, Self.job(row))
        }
    }

    /// The feed through HTTP: media ids, newest first.
    func feedIDs(_ client: any TestClientProtocol, _ user: TestUser, query: String = "") async throws -> (ids: [String], next: String?) {
        let answer = try await client.json(.get, "/v1/feed\(query)", token: user.token)
        try #require(answer.status == .ok, "GET /v1/feed: \(String(buffer: answer.body))")
        let page = try JSONDecoder().decode(PageResponse<MediaResponse>.self, from: Data(answer.body.readableBytesView))
        return (page.items.map(\.id), page.nextCursor)
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
