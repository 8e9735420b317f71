@testable import API
import HTTPTypes
import Hummingbird
import NIOCore
import Storage
import Testing

@Suite struct GeoSearchRequestTests {
    static func request(_ query: String) -> Request {
        Request(head: HTTPRequest(method: .get, scheme: "http", authority: "localhost", path: "/v1/media/search?\(query)"), body: .init(buffer: ByteBuffer()))
    }

    static let recentToken = GeoCursor(.recent(before: ShardedID(rawValue: 99))).token

    @Test(arguments: [
        ("lng=0&radius_m=10", "lat"),
        ("lat=91&lng=0&radius_m=10", "lat"),
        ("lat=-90.5&lng=0&radius_m=10", "lat"),
        ("lat=nan&lng=0&radius_m=10", "lat"),
        ("lat=NaN&lng=0&radius_m=10", "lat"),
        ("lat=1e1&lng=0&radius_m=10", "lat"),
        ("lat=%2B1&lng=0&radius_m=10", "lat"),
        ("lat=0x10&lng=0&radius_m=10", "lat"),
        ("lat=1.&lng=0&radius_m=10", "lat"),
        ("lat=89&lng=0&radius_m=10", "lat"),
        ("lat=-85.06&lng=0&radius_m=10", "lat"),
        ("lat=0&radius_m=10", "lng"),
        ("lat=0&lng=180.5&radius_m=10", "lng"),
        ("lat=0&lng=inf&radius_m=10", "lng"),
        ("lat=0&lng=-infinity&radius_m=10", "lng"),
        ("lat=0&lng=0", "radius_m"),
        ("lat=0&lng=0&radius_m=50000.01", "radius_m"),
        ("lat=0&lng=0&radius_m=0", "radius_m"),
        ("lat=0&lng=0&radius_m=-5", "radius_m"),
        ("lat=0&lng=0&radius_m=10&order=closest", "order"),
        ("lat=0&lng=0&radius_m=10&limit=0", "limit"),
        ("lat=0&lng=0&radius_m=10&limit=101", "limit"),
        ("lat=0&lng=0&radius_m=10&cursor=garbage!", "cursor"),
        ("lat=0&lng=0&radius_m=10&order=distance&cursor=\(recentToken)", "cursor"),
    ])
    func aBrokenRuleNamesItsField(query: String, field: String) {
        do {
            _ = try GeoSearchRequest(Self.request(query))
            Issue.record("\(query) must be refused")
        } catch {
            #expect(error.code == .validationFailed)
            #expect(error.field == field, "\(query): \(error.message)")
        }
    }

    @Test func aValidSearchKeepsEveryValue() throws {
        let parsed = try GeoSearchRequest(Self.request("lat=-33.8688&lng=151.2093&radius_m=50000&order=recent&limit=7&cursor=\(Self.recentToken)")).query
        #expect(parsed.center == MediaLocation(latitude: -33.8688, longitude: 151.2093))
        #expect(parsed.radiusMeters == 50_000)
        #expect(parsed.order == .recent)
        #expect(parsed.limit == 7)
        #expect(parsed.cursor == GeoCursor(.recent(before: ShardedID(rawValue: 99))))
    }

    @Test func orderDefaultsToRecentAndLimitTo20() throws {
        let parsed = try GeoSearchRequest(Self.request("lat=85.05&lng=-180&radius_m=1")).query
        #expect(parsed.order == .recent && parsed.limit == 20 && parsed.cursor == nil)
    }
}
