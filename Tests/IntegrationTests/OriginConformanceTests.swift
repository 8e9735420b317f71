import API
import Foundation
import NIOHTTP1
import S3
import Testing

/// RFC 9110/9111 conformance of `GET`/`HEAD /m/...` as a CDN sees it, against each darkroom process directly and
/// through the nginx edge of `deploy/nginx`: status, ETag, Cache-Control, Content-Range, Content-Length and bytes.
@Suite(.originCluster, .serialized, .timeLimit(.minutes(3)))
struct OriginConformanceTests {
    enum Target: String, CaseIterable, Sendable { case origin, edge }

    /// What a row's answer must be. `body` is the expected byte range of the fixture (nil: no body).
    struct Row: Sendable, CustomTestStringConvertible {
        var name: String
        var method: HTTPMethod = .GET
        var headers: [(String, String)]
        var status: Int
        var body: ClosedRange<Int>? = nil
        /// Where nginx answers otherwise (and RFC 9110 allows it, or nginx is known to differ).
        var edge: (status: Int, body: ClosedRange<Int>?)? = nil
        var testDescription: String { name }

        func expected(_ target: Target) -> (status: Int, body: ClosedRange<Int>?) {
            target == .edge ? edge ?? (status, body) : (status, body)
        }
    }

    static let size = 10_000
    static let all = 0...(size - 1)
    /// `@ETAG@`, `@LM@` (its Last-Modified) and `@OLD@` (a minute earlier) are filled in per fixture.
    static let rows: [Row] = [
        Row(name: "GET", headers: [], status: 200, body: all),
        Row(name: "HEAD", method: .HEAD, headers: [], status: 200),
        Row(name: "GET INM match", headers: [("If-None-Match", "@ETAG@")], status: 304),
        Row(name: "HEAD INM match", method: .HEAD, headers: [("If-None-Match", "@ETAG@")], status: 304),
        Row(name: "GET INM mismatch", headers: [("If-None-Match", "\"other\"")], status: 200, body: all),
        Row(name: "HEAD INM mismatch", method: .HEAD, headers: [("If-None-Match", "\"other\"")], status: 200),
        Row(name: "GET INM weak", headers: [("If-None-Match", "W/@ETAG@")], status: 304),
        Row(name: "GET INM star", headers: [("If-None-Match", "*")], status: 304),
        Row(name: "GET INM list", headers: [("If-None-Match", "\"other\", @ETAG@")], status: 304),
        Row(name: "GET IMS at Last-Modified", headers: [("If-Modified-Since", "@LM@")], status: 304),
        Row(name: "GET IMS before Last-Modified", headers: [("If-Modified-Since", "@OLD@")], status: 200, body: all),
        Row(name: "GET INM mismatch ignores IMS", headers: [("If-None-Match", "\"other\""), ("If-Modified-Since", "@LM@")], status: 200, body: all),
        Row(name: "GET Range single", headers: [("Range", "bytes=0-99")], status: 206, body: 0...99),
        Row(name: "GET Range suffix", headers: [("Range", "bytes=-100")], status: 206, body: (size - 100)...(size - 1)),
        Row(name: "GET Range open", headers: [("Range", "bytes=9000-")], status: 206, body: 9000...(size - 1)),
        Row(name: "GET Range clipped", headers: [("Range", "bytes=9990-20000")], status: 206, body: 9990...(size - 1)),
        // RFC 9110 §14.2 defines Range for GET only, so the origin ignores it on HEAD; nginx applies it to HEAD as
        // well (206 with the range's Content-Length and no body), and a CDN in front behaves like nginx here.
        Row(name: "HEAD Range single", method: .HEAD, headers: [("Range", "bytes=0-99")], status: 200, edge: (206, 0...99)),
        Row(name: "GET Range unsatisfiable", headers: [("Range", "bytes=20000-")], status: 416),
        Row(name: "GET Range multi", headers: [("Range", "bytes=0-9,20-29")], status: 200, body: all),
        Row(name: "GET Range with INM match", headers: [("Range", "bytes=0-99"), ("If-None-Match", "@ETAG@")], status: 304),
        Row(name: "GET Range with INM mismatch", headers: [("Range", "bytes=0-99"), ("If-None-Match", "\"other\"")], status: 206, body: 0...99),
        Row(name: "GET If-Range ETag fresh", headers: [("Range", "bytes=100-199"), ("If-Range", "@ETAG@")], status: 206, body: 100...199),
        Row(name: "GET If-Range ETag stale", headers: [("Range", "bytes=100-199"), ("If-Range", "\"other\"")], status: 200, body: all),
        Row(name: "GET If-Range date fresh", headers: [("Range", "bytes=100-199"), ("If-Range", "@LM@")], status: 206, body: 100...199),
        Row(name: "GET If-Range date stale", headers: [("Range", "bytes=100-199"), ("If-Range", "@OLD@")], status: 200, body: all),
        Row(name: "GET If-Range stale, Range unsatisfiable", headers: [("Range", "bytes=20000-"), ("If-Range", "\"other\"")], status: 200, body: all),
    ]

    static let cases: [(Target, Row)] = Target.allCases.flatMap { target in rows.map { (target, $0) } }

    @Test(arguments: cases)
    func matrix(_ target: Target, _ row: Row) async throws {
        let cluster = try OriginCluster.shared
        let fixture = try await cluster.fixture(size: Self.size)
        let base = target == .edge ? cluster.edge : cluster.origins[0]
        let headers = row.headers.map { name, value in
            (name, value.replacingOccurrences(of: "@ETAG@", with: fixture.etag)
                .replacingOccurrences(of: "@LM@", with: fixture.lastModified).replacingOccurrences(of: "@OLD@", with: fixture.minuteEarlier))
        }
        if target == .edge {
            // The edge answers from its cache: the row must hold on a hit, not only on the miss that fills it.
            let fill = try await OriginCluster.request(.GET, base + fixture.path)
            try #require(fill.status == 200)
        }
        let answer = try await OriginCluster.request(row.method, base + fixture.path, headers: headers)
        let (status, body) = row.expected(target)
        #expect(answer.status == status, "\(answer.status) \(answer.headers)")
        if target == .edge { #expect(answer.header("X-Cache-Status") == "HIT") }

        switch status {
        case 416:
            #expect(answer.header("Content-Range") == "bytes */\(Self.size)")
        case 304:
            #expect(answer.body.isEmpty)
            #expect(answer.header("ETag") == fixture.etag)
            #expect(answer.header("Cache-Control") == "public, max-age=31536000, immutable")
            // A 304 may leave Content-Length out, or give the 200's (RFC 9110 §8.6); never another value.
            #expect(answer.header("Content-Length") == nil || answer.header("Content-Length") == String(Self.size))
        default:
            #expect(answer.header("ETag") == fixture.etag)
            #expect(answer.header("Cache-Control") == "public, max-age=31536000, immutable")
            if target == .origin || status == 200 {
                // nginx leaves Accept-Ranges out of its 206 answers.
                #expect(answer.header("Accept-Ranges") == "bytes")
            }
            #expect(answer.header("Last-Modified") == fixture.lastModified)
            #expect(answer.header("Content-Type") == "image/jpeg")
            #expect(answer.header("Transfer-Encoding") == nil)
            let range = body ?? Self.all
            #expect(answer.header("Content-Length") == String(range.count))
            if status == 206 {
                #expect(answer.header("Content-Range") == "bytes \(range.lowerBound)-\(range.upperBound)/\(Self.size)")
            } else {
                #expect(answer.header("Content-Range") == nil)
            }
            if row.method == .GET {
                #expect(answer.body == Array(fixture.bytes[range]))
            } else {
                #expect(answer.body.isEmpty)
            }
        }
        if target == .origin {
            #expect(answer.header("X-Content-Type-Options") == "nosniff")
        }
    }
}

/// The edge and the hot cache across two processes.
@Suite(.originCluster, .serialized, .timeLimit(.minutes(3)))
struct OriginClusterTests {
    @Test func theSecondRequestThroughTheEdgeIsACacheHitAndAStampedeMakesOneOriginRequest() async throws {
        let cluster = try OriginCluster.shared
        let fixture = try await cluster.fixture()
        let before = try await cluster.originCacheLookups()
        let answers = try await withThrowingTaskGroup(of: OriginCluster.Answer.self) { group in
            for _ in 0..<50 { group.addTask { try await OriginCluster.request(.GET, cluster.edge + fixture.path) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(answers.allSatisfy { $0.status == 200 && $0.body == fixture.bytes })
        // proxy_cache_lock: one request went to an origin, the others waited for it and were served from the cache.
        #expect(try await cluster.originCacheLookups() - before == 1)
        let again = try await OriginCluster.request(.GET, cluster.edge + fixture.path)
        #expect(again.header("X-Cache-Status") == "HIT")
        #expect(again.body == fixture.bytes)
    }

    @Test func theEdgeSpreadsRequestsOverBothProcesses() async throws {
        let cluster = try OriginCluster.shared
        let before = try await cluster.originCacheLookupsPerProcess()
        for _ in 0..<6 {
            let fixture = try await cluster.fixture(size: 100)
            #expect(try await OriginCluster.request(.GET, cluster.edge + fixture.path).status == 200)
        }
        let after = try await cluster.originCacheLookupsPerProcess()
        #expect(zip(after, before).allSatisfy { $0 - $1 >= 1 }, "\(before) → \(after)")
    }

    @Test func theHotCacheServesRepeatsAndCountsThem() async throws {
        let cluster = try OriginCluster.shared
        let fixture = try await cluster.fixture()
        let origin = cluster.origins[1]
        for _ in 0..<3 {
            let answer = try await OriginCluster.request(.GET, origin + fixture.path)
            #expect(answer.status == 200 && answer.body == fixture.bytes)
        }
        let ranged = try await OriginCluster.request(.GET, origin + fixture.path, headers: [("Range", "bytes=10-19")])
        #expect(ranged.status == 206 && ranged.body == Array(fixture.bytes[10...19]))
        let metrics = try await OriginCluster.request(.GET, origin + "/metrics")
        let text = String(decoding: metrics.body, as: UTF8.self)
        #expect(OriginCluster.metric("darkroom_origin_cache_hits_total", in: text) ?? 0 >= 3)
        #expect(OriginCluster.metric("darkroom_origin_cache_bytes", in: text) ?? 0 >= Double(fixture.bytes.count))
    }

    @Test func aDeletedMediaIs404FromBothProcessesAtOnceThoughTheirCachesHoldIt() async throws {
        let cluster = try OriginCluster.shared
        let fixture = try await cluster.fixture()
        for origin in cluster.origins {
            for _ in 0..<2 { #expect(try await OriginCluster.request(.GET, origin + fixture.path).status == 200) }
        }
        let deleted = try await OriginCluster.request(
            .DELETE, cluster.origins[0] + "/v1/media/\(fixture.id)", headers: [("Authorization", "Bearer \(cluster.ownerToken)")])
        try #require(deleted.status == 204)
        // No waiting: the very next request to either process is 404, cached bytes or not.
        for origin in cluster.origins.reversed() {
            for method in [HTTPMethod.GET, .HEAD] {
                let answer = try await OriginCluster.request(method, origin + fixture.path)
                #expect(answer.status == 404, "\(method) \(origin)")
                #expect(answer.header("Cache-Control") == "no-store")
            }
        }
    }

    @Test(arguments: [
        ("current key", 0, 60, 200), ("previous key (rotation)", 1, 60, 200), ("expired", 0, -5, 403),
    ])
    func signedLinks(_ name: String, _ keyIndex: Int, _ lifetime: Int, _ status: Int) async throws {
        let cluster = try OriginCluster.shared
        let fixture = try await cluster.fixture(size: 100)
        let signer = URLSigner(secrets: [OriginCluster.signingKeys[keyIndex]])
        let signed = try #require(signer.signedPath(fixture.path, expires: Date().addingTimeInterval(TimeInterval(lifetime))))
        for origin in cluster.origins {
            let answer = try await OriginCluster.request(.GET, origin + signed)
            #expect(answer.status == status, "\(name)")
            if status == 200 {
                #expect(answer.body == fixture.bytes)
                // Cacheable only while the link lives, never a year.
                let maxAge = answer.header("Cache-Control").flatMap { Int($0.replacingOccurrences(of: "public, max-age=", with: "")) }
                #expect(maxAge.map { (0...lifetime).contains($0) } == true, "\(answer.header("Cache-Control") ?? "-")")
            }
        }
    }

    @Test(arguments: ["tampered signature", "tampered expiry", "tampered path", "unknown key", "half a link"])
    func badSignaturesAre403(_ tampering: String) async throws {
        let cluster = try OriginCluster.shared
        let fixture = try await cluster.fixture(size: 100)
        let other = try await cluster.fixture(size: 100)
        let key = tampering == "unknown key" ? String(repeating: "x", count: 40) : OriginCluster.signingKeys[0]
        var signed = try #require(URLSigner(secrets: [key]).signedPath(fixture.path, expires: Date().addingTimeInterval(60)))
        switch tampering {
        case "tampered signature": signed = signed.replacingOccurrences(of: "sig=", with: "sig=A")
        case "tampered expiry": signed = signed.replacingOccurrences(of: "exp=", with: "exp=9")
        case "tampered path": signed = signed.replacingOccurrences(of: fixture.path, with: other.path)
        case "half a link": signed = String(signed[..<(try #require(signed.range(of: "&sig="))).lowerBound])
        default: break
        }
        let answer = try await OriginCluster.request(.GET, cluster.origins[0] + signed)
        #expect(answer.status == 403)
        #expect(answer.header("Cache-Control") == "no-store")
    }
}
