import API
import Foundation
import HummingbirdTesting
import HTTPTypes
import Logging
import NIOCore
import Pipeline
import Runtime
import RedisClient
import Storage
import Testing
import TestSupport

/// The place index and `GET /v1/media/search` on the real stack: media at known coordinates, indexed by the `geo`
/// stage's handler into an index key of the test's own, searched over HTTP page by page.
@Suite(.timeLimit(.minutes(3)))
struct GeoSearchIntegrationTests {
    /// Posted in this order by one user, so their ids increase in this order (what `recent` sorts by).
    enum Place: String, CaseIterable, Sendable {
        case paris, louvre, versailles, london, sydney, fijiEast, fijiWest, polarA, polarB, polarC, arctic, southA, southB
        case venue1, venue2, venue3

        var location: MediaLocation {
            switch self {
            case .paris: MediaLocation(latitude: 48.8566, longitude: 2.3522)
            case .louvre: MediaLocation(latitude: 48.8606, longitude: 2.3376)
            case .versailles: MediaLocation(latitude: 48.8049, longitude: 2.1204)
            case .london: MediaLocation(latitude: 51.5074, longitude: -0.1278)
            case .sydney: MediaLocation(latitude: -33.8688, longitude: 151.2093)
            // Across the antimeridian, about 2 km apart.
            case .fijiEast: MediaLocation(latitude: -17.0, longitude: 179.99)
            case .fijiWest: MediaLocation(latitude: -17.0, longitude: -179.99)
            // Near the index's latitude limit (±85.05112878).
            case .polarA: MediaLocation(latitude: 85.0, longitude: 0.0)
            case .polarB: MediaLocation(latitude: 84.9, longitude: 0.0)
            case .polarC: MediaLocation(latitude: 85.0, longitude: 4.0)
            // Beyond it: kept in PostgreSQL, never indexed.
            case .arctic: MediaLocation(latitude: 89.0, longitude: 0.0)
            // Near the south limit and across the antimeridian.
            case .southA: MediaLocation(latitude: -85.0, longitude: 179.5)
            case .southB: MediaLocation(latitude: -85.0, longitude: -179.5)
            // Three photos at one spot: equal distances, ordered by id.
            case .venue1, .venue2, .venue3: MediaLocation(latitude: 40.0, longitude: -3.0)
            }
        }
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var center: (Double, Double)
        var radius: Double
        var order: GeoOrder
        var expected: [Place]
        var testDescription: String { "\(center) r=\(Int(radius)) \(order) → \(expected.map(\.rawValue))" }
    }

    static let cases: [Case] = [
        Case(center: (48.8566, 2.3522), radius: 2_000, order: .distance, expected: [.paris, .louvre]),
        Case(center: (48.8566, 2.3522), radius: 20_000, order: .distance, expected: [.paris, .louvre, .versailles]),
        Case(center: (48.8566, 2.3522), radius: 50_000, order: .recent, expected: [.versailles, .louvre, .paris]),
        Case(center: (51.5074, -0.1278), radius: 1_000, order: .distance, expected: [.london]),
        Case(center: (-33.8688, 151.2093), radius: 500, order: .recent, expected: [.sydney]),
        Case(center: (-17.0, 179.999), radius: 5_000, order: .distance, expected: [.fijiEast, .fijiWest]),
        Case(center: (-17.0, -179.999), radius: 5_000, order: .distance, expected: [.fijiWest, .fijiEast]),
        Case(center: (-17.0, -179.999), radius: 5_000, order: .recent, expected: [.fijiWest, .fijiEast]),
        Case(center: (85.0, 1.0), radius: 50_000, order: .distance, expected: [.polarA, .polarB, .polarC]),
        Case(center: (85.0, 1.0), radius: 10_000, order: .distance, expected: [.polarA]),
        Case(center: (85.05, 0.0), radius: 50_000, order: .distance, expected: [.polarA, .polarB, .polarC]),
        Case(center: (-85.0, 179.9), radius: 10_000, order: .distance, expected: [.southA, .southB]),
        Case(center: (-85.0, -179.9), radius: 10_000, order: .distance, expected: [.southB, .southA]),
        Case(center: (40.001, -3.0), radius: 1_000, order: .distance, expected: [.venue1, .venue2, .venue3]),
        Case(center: (40.001, -3.0), radius: 1_000, order: .recent, expected: [.venue3, .venue2, .venue1]),
        Case(center: (0.0, 0.0), radius: 50_000, order: .distance, expected: []),
    ]

    static let logger = Logger(label: "test.geo")
    static var context: JobContext { JobContext(logger: logger) { _, _, _, _ in } }

    static func uniqueKey() -> String { "darkroom:geo:test:\(UUID().uuidString)" }

    /// One media per place, each `geo` job run through the handler into `key`.
    static func seed(_ stack: SocialStack, owner: ShardedID, key: String) async throws -> [Place: (MediaRecord, [OutboxRow])] {
        let handler = GeoHandler(index: GeoIndex(redis: stack.redis, key: key), media: MediaRepository(postgres: stack.postgres))
        var posted: [Place: (MediaRecord, [OutboxRow])] = [:]
        for place in Place.allCases {
            let (record, rows) = try await stack.post(owner, caption: place.rawValue, location: place.location)
            for row in rows where row.topic == .geo { try await handler.handle(Job(row), context: context) }
            posted[place] = (record, rows)
        }
        return posted
    }

    /// Leaves no live located media behind (the stack's database is shared, and reindexing reads all of it).
    static func tearDown(_ stack: SocialStack, _ media: [MediaRecord], key: String) async throws {
        let repository = MediaRepository(postgres: stack.postgres)
        for record in media {
            _ = try await repository.markDeleted(id: record.id, requester: record.ownerID, logger: logger) { _ in [] }
        }
        _ = try await stack.redis.del(key)
    }

    typealias Posted = [Place: (MediaRecord, [OutboxRow])]

    /// A fresh user's media at every place, indexed into a key of the test's own, removed again afterwards.
    static func withSeeded(
        _ body: @Sendable (SocialStack, any TestClientProtocol, SocialStack.TestUser, Posted, String) async throws -> Void
    ) async throws {
        let key = uniqueKey()
        try await SocialStack.run(geoKey: key) { stack, client in
            let user = try await stack.user(client, "geo")
            let posted = try await seed(stack, owner: user.id, key: key)
            try await body(stack, client, user, posted, key)
            try await tearDown(stack, posted.values.map { $0.0 }, key: key)
        }
    }

    /// Every page of a search over HTTP, following `next_cursor`.
    static func searchIDs(_ client: any TestClientProtocol, token: String, _ query: String, limit: Int) async throws -> [String] {
        var ids: [String] = []
        var cursor: String?
        var pages = 0
        repeat {
            let uri = "/v1/media/search?\(query)&limit=\(limit)" + (cursor.map { "&cursor=\($0)" } ?? "")
            let answer = try await client.json(.get, uri, token: token)
            try #require(answer.status == .ok, "\(uri): \(String(buffer: answer.body))")
            let page = try JSONDecoder().decode(PageResponse<MediaResponse>.self, from: Data(answer.body.readableBytesView))
            ids += page.items.map(\.id)
            cursor = page.nextCursor
            pages += 1
            try #require(pages <= 50, "the cursor never ends")
        } while cursor != nil
        return ids
    }

    @Test(arguments: GeoSearchIntegrationTests.cases)
    func radiusQueriesReturnExactlyTheExpectedSetInOrder(_ search: Case) async throws {
        try await Self.withSeeded { stack, client, user, posted, key in
            let query = "lat=\(search.center.0)&lng=\(search.center.1)&radius_m=\(search.radius)&order=\(search.order.rawValue)"
            let expected = search.expected.map { posted[$0]!.0.id.description }
            // One per page (every cursor step, ties at the venue included) and all at once must agree.
            for limit in [1, 2, 100] {
                let ids = try await Self.searchIDs(client, token: user.token, query, limit: limit)
                #expect(ids == expected, "limit \(limit)")
            }
        }
    }

    @Test func aLocationBeyondTheIndexLatitudeIsKeptButNotIndexed() async throws {
        try await Self.withSeeded { stack, client, user, posted, key in
            let arctic = posted[.arctic]!.0
            #expect(try await MediaRepository(postgres: stack.postgres).media(id: arctic.id, logger: Self.logger)?.location == Place.arctic.location)
            #expect(try await stack.redis.zscore(key, member: arctic.id.description) == nil)
            #expect(try await stack.redis.zscore(key, member: posted[.polarA]!.0.id.description) != nil)
            let answer = try await client.json(.get, "/v1/media/search?lat=89&lng=0&radius_m=1000", token: user.token)
            #expect(answer.status == .badRequest)
            #expect(try errorCode(answer.body) == "validation_failed")
        }
    }

    @Test func deletedMediaAreNeverShownAndCleanupTakesThemOut() async throws {
        try await Self.withSeeded { stack, client, user, posted, key in
            let louvre = posted[.louvre]!.0
            let answer = try await client.json(.delete, "/v1/media/\(louvre.id)", token: user.token)
            try #require(answer.status == .noContent)
            // Before its cleanup job runs the index still holds it; the search does not show it.
            #expect(try await stack.redis.zscore(key, member: louvre.id.description) != nil)
            let query = "lat=48.8566&lng=2.3522&radius_m=20000&order=distance"
            let expected = [posted[.paris]!.0.id.description, posted[.versailles]!.0.id.description]
            #expect(try await Self.searchIDs(client, token: user.token, query, limit: 1) == expected)

            let index = GeoIndex(redis: stack.redis, key: key)
            let cleanupRows = try await stack.outboxRows(topic: .cleanup, field: "media_id", equals: louvre.id)
            let cleanup = CleanupHandler(objectStore: stack.dependencies.objectStore, postgres: stack.postgres, feeds: nil, geo: index)
            for row in cleanupRows { try await cleanup.handle(Job(row), context: Self.context) }
            #expect(cleanupRows.count == 1)
            #expect(try await stack.redis.zscore(key, member: louvre.id.description) == nil)
            // A late or redelivered geo job does not bring it back.
            let geo = GeoHandler(index: index, media: MediaRepository(postgres: stack.postgres))
            for row in posted[.louvre]!.1 where row.topic == .geo { try await geo.handle(Job(row), context: Self.context) }
            #expect(try await stack.redis.zscore(key, member: louvre.id.description) == nil)
            #expect(try await Self.searchIDs(client, token: user.token, query, limit: 100) == expected)
        }
    }

    @Test func theIndexRebuiltAfterDELGivesTheSameAnswers() async throws {
        try await Self.withSeeded { stack, client, user, posted, key in
            let mine = Set(posted.values.map { $0.0.id.description })
            // A delete whose cleanup never ran: the rebuild must leave it out.
            let louvre = posted[.louvre]!.0
            try #require(try await client.json(.delete, "/v1/media/\(louvre.id)", token: user.token).status == .noContent)

            func answers() async throws -> [[String]] {
                var all: [[String]] = []
                for search in Self.cases {
                    let query = "lat=\(search.center.0)&lng=\(search.center.1)&radius_m=\(search.radius)&order=\(search.order.rawValue)"
                    // Other runs' media may share these places once the whole database is indexed: compare ours.
                    all.append(try await Self.searchIDs(client, token: user.token, query, limit: 100).filter { mine.contains($0) })
                }
                return all
            }
            let before = try await answers()
            #expect(before[0] == [posted[.paris]!.0.id.description])

            #expect(try await stack.redis.del(key) == 1)
            #expect(try await answers().allSatisfy(\.isEmpty))

            let reindexer = GeoReindexer(postgres: stack.postgres, index: GeoIndex(redis: stack.redis, key: key), batchSize: 7)
            let first = try await reindexer.run(logger: Self.logger)
            #expect(first.done && first.read >= Place.allCases.count)
            #expect(first.outOfBand >= 1 && first.removed >= 1)
            #expect(try await answers() == before)
            #expect(try await stack.redis.zscore(key, member: louvre.id.description) == nil)
            #expect(try await stack.redis.zscore(key, member: posted[.arctic]!.0.id.description) == nil)
            // Idempotent: a second run changes no answer.
            try await reindexer.run(logger: Self.logger)
            #expect(try await answers() == before)
        }
    }

    @Test func theReindexCommandRebuildsWithProgressLines() async throws {
        try await SocialStack.run { stack, client in
            let user = try await stack.user(client, "geo")
            // Written like an upload, its geo job never run: only the rebuild can index it.
            let (record, _) = try await stack.post(user.id, location: MediaLocation(latitude: -54.8019, longitude: -68.3030))
            let index = GeoIndex(redis: stack.redis)
            #expect(try await stack.redis.zscore(index.key, member: record.id.description) == nil)
            let output = FileManager.default.temporaryDirectory.appendingPathComponent("darkroom-reindex-\(UUID().uuidString).err")
            defer { try? FileManager.default.removeItem(at: output) }
            let code = try await ChildProcess.run(
                "/bin/sh", ["-c", "exec \"$0\" reindex geo 2>\"$1\" >/dev/null", ServeProcessTests.binary, output.path],
                environment: TestStack.environment, timeout: .seconds(120))
            let progress = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
            #expect(code == 0, "\(progress)")
            let lines = progress.split(separator: "\n").filter { $0.hasPrefix("geo reindex: ") }
            #expect(!lines.isEmpty && lines.last?.hasSuffix(", done") == true, "\(progress)")
            let hits = try await index.search(center: MediaLocation(latitude: -54.8019, longitude: -68.3030), radiusMeters: 10)
            #expect(hits.map { $0.id }.contains(record.id))
            try await Self.tearDown(stack, [record], key: Self.uniqueKey())
            try await index.remove([record.id])
        }
    }

    @Test(arguments: [#"{"nope":1}"#, #"{"media_id":"1","lat":91,"lng":0}"#, #"{"media_id":"1","lat":0,"lng":-180.5}"#])
    func aGeoJobThatCanNeverSucceedIsInvalid(payload: String) async throws {
        let redis = try RedisTestContext.make().client
        let handler = GeoHandler(
            index: GeoIndex(redis: redis), media: MediaRepository(postgres: ShardedPostgres(configuration: try PostgresFixture.stackConfiguration())))
        do {
            try await handler.handle(Job(outboxID: 1, shard: 0, topic: .geo, payload: payload, streamEntryID: "1-0", deliveryCount: 1), context: Self.context)
            Issue.record("must throw")
        } catch let error as PipelineError {
            #expect(error.code == .invalidJob)
        }
        await redis.close()
    }
}
