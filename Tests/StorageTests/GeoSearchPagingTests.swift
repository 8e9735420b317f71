@testable import Storage
import Testing

/// The place search's paging, on index answers made up here (the real index is in `GeoSearchIntegrationTests`).
struct GeoSearchPagingTests {
    static let center = MediaLocation(latitude: 48.8566, longitude: 2.3522)

    static func hit(_ id: Int64, _ distance: Double) -> GeoIndex.Hit { GeoIndex.Hit(id: ShardedID(rawValue: id), distance: distance) }

    static func query(_ order: GeoOrder, limit: Int, cursor: GeoCursor? = nil) -> GeoSearch.Query {
        GeoSearch.Query(center: center, radiusMeters: 1_000, order: order, limit: limit, cursor: cursor)
    }

    /// Every page of the distance order over `all` (nearest first as Redis gives them), asking like `GeoSearch` does.
    static func distancePages(_ all: [GeoIndex.Hit], limit: Int) -> [[Int64]] {
        var pages: [[Int64]] = []
        var cursor: GeoCursor?
        repeat {
            var served = 0
            if case let .distance(_, _, hint) = cursor?.position { served = hint }
            var want = served + limit + 1
            var answer: ([GeoIndex.Hit], GeoCursor?)?
            while answer == nil {
                answer = GeoSearch.distancePage(Array(all.prefix(want)), asked: want, query: query(.distance, limit: limit, cursor: cursor))
                want *= 2
            }
            pages.append(answer!.0.map(\.id.rawValue))
            cursor = answer!.1.flatMap { GeoCursor(token: $0.token) }
        } while cursor != nil
        return pages
    }

    @Test(arguments: [1, 2, 3, 7])
    func distancePagesCoverEveryEntryOnceWithTiesOrderedByID(limit: Int) {
        // Redis orders equal distances arbitrarily: ids 5, 3, 4 at one venue, 9 and 8 at another.
        let all = [Self.hit(7, 1.5), Self.hit(5, 10), Self.hit(3, 10), Self.hit(4, 10), Self.hit(9, 20.25), Self.hit(8, 20.25), Self.hit(1, 300)]
        let pages = Self.distancePages(all, limit: limit)
        #expect(pages.flatMap { $0 } == [7, 3, 4, 5, 8, 9, 1])
        #expect(pages.dropLast().allSatisfy { $0.count == limit })
    }

    @Test func aMemberAddedBetweenPagesNeverRepeatsOrSkipsAnother() throws {
        let first = GeoSearch.distancePage([Self.hit(1, 1), Self.hit(2, 2), Self.hit(3, 3)], asked: 100, query: Self.query(.distance, limit: 2))
        let (page, cursor) = try #require(first)
        #expect(page.map(\.id.rawValue) == [1, 2])
        // A new media nearer than the cursor, and one beyond it, arrive before the next page.
        let now = [Self.hit(10, 0.5), Self.hit(1, 1), Self.hit(2, 2), Self.hit(3, 3), Self.hit(11, 4)]
        let second = try #require(GeoSearch.distancePage(now, asked: 100, query: Self.query(.distance, limit: 2, cursor: cursor)))
        #expect(second.0.map(\.id.rawValue) == [3, 11])
        #expect(second.1 == nil)
    }

    @Test func aCutAtEqualDistancesAsksForMore() {
        // Three members at one distance, Redis asked for 2: the tie may be incomplete, so the page is not decided.
        #expect(GeoSearch.distancePage([Self.hit(2, 5), Self.hit(3, 5)], asked: 2, query: Self.query(.distance, limit: 1)) == nil)
    }

    @Test(arguments: [1, 2, 5])
    func recentPagesAreNewestFirst(limit: Int) {
        let all = [Self.hit(4, 1), Self.hit(9, 2), Self.hit(1, 3), Self.hit(7, 4), Self.hit(3, 5)]
        var cursor: GeoCursor?
        var seen: [Int64] = []
        repeat {
            let (page, next) = GeoSearch.recentPage(all, query: Self.query(.recent, limit: limit, cursor: cursor))
            seen += page.map(\.id.rawValue)
            cursor = next
        } while cursor != nil
        #expect(seen == [9, 7, 4, 3, 1])
    }

    @Test(arguments: [
        GeoCursor(.recent(before: ShardedID(rawValue: 123_456_789_012))),
        GeoCursor(.distance(after: 1234.5678, id: ShardedID(rawValue: 42), served: 20)),
        GeoCursor(.distance(after: 0, id: ShardedID(rawValue: 1), served: 0)),
    ])
    func cursorsRoundTrip(cursor: GeoCursor) {
        #expect(GeoCursor(token: cursor.token) == cursor)
    }

    @Test(arguments: ["", "x", "cjo", "r:12", "ZDpuYW46MTox", "ZDotMToxOjA", "cjotMQ", "ZDoxOjI", "%%%", String(repeating: "A", count: 200)])
    func malformedCursorsAreRejected(token: String) {
        #expect(GeoCursor(token: token) == nil)
    }
}
