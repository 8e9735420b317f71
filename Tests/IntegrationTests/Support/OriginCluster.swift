#if canImport(Glibc)
import Glibc
#endif
import API
import AsyncHTTPClient
import Crypto
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Runtime
import S3
import ServiceLifecycle
import Storage
import Testing

/// Two `darkroom serve --role api` processes on the test stack and the CDN edge of `deploy/nginx` in front of them,
/// as an operator runs them: real binaries, real sockets, a real HTTP client. Started once for a suite by the
/// `.originCluster` trait and stopped (by pid) when the suite ends.
struct OriginCluster: Sendable {
    /// `http://127.0.0.1:port` of each darkroom process.
    let origins: [String]
    /// `http://127.0.0.1:port` of nginx.
    let edge: String
    let dependencies: DarkroomDependencies
    let owner: ShardedID
    let ownerToken: String

    @TaskLocal static var current: OriginCluster?

    /// The processes' `DARKROOM_ORIGIN_SIGNING_KEYS`: the current key, then the one it replaced.
    static let signingKeys = ["origin-test-current-key-0123456789abcdef", "origin-test-previous-key-0123456789abcdef"]

    static let logger = Logger(label: "test.origin")

    static var shared: OriginCluster {
        get throws { try #require(current, "the suite needs the .originCluster trait") }
    }

    /// A rendition made of `size` random bytes, stored and registered like an upload's (no image engine needed: the
    /// origin serves bytes).
    struct Fixture: Sendable {
        var id: ShardedID
        var bytes: [UInt8]
        var etag: String
        var lastModified: String
        /// A minute before `lastModified`.
        var minuteEarlier: String
        var path: String { "/m/\(id)/w320.jpg" }
    }

    func fixture(size: Int = 10_000) async throws -> Fixture {
        let postgres = dependencies.postgres
        let id = try await postgres.mintID(shard: owner.shard)
        let bytes = (0..<size).map { _ in UInt8.random(in: 0...255) }
        let sha = MediaKeys.hex(Array(SHA256.hash(data: bytes)))
        let key = MediaKeys.rendition(mediaID: id, preset: "w320", fileExtension: "jpg", sha256Hex: sha)
        try await dependencies.objectStore.put(bytes, at: try ObjectKey(key), contentType: "image/jpeg")
        let rendition = StoredRendition(
            preset: "w320", fileExtension: "jpg", contentType: "image/jpeg", width: 320, height: 240, size: size, key: key, sha256: sha)
        let media = NewMedia(
            id: id, ownerID: owner, contentSHA256: (0..<32).map { _ in UInt8.random(in: 0...255) }, caption: "", hashtags: [],
            filter: "none", width: 320, height: 240, blurhash: nil, location: nil, capturedAt: nil, cameraMake: nil, cameraModel: nil,
            renditions: [rendition])
        let outcome = try await MediaRepository(postgres: postgres).insert(media, logger: Self.logger) { _ in [] }
        guard case .created(let record, _) = outcome else { throw TestFailure("fixture insert was a duplicate") }
        return Fixture(id: id, bytes: bytes, etag: "\"\(sha)\"", lastModified: HTTPDate.format(record.createdAt),
            minuteEarlier: HTTPDate.format(record.createdAt.addingTimeInterval(-60)))
    }

    // MARK: - Metrics

    /// The value of an unlabelled sample in a Prometheus exposition.
    static func metric(_ name: String, in text: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Double($0.split(separator: " ")[1]) }
    }

    /// Hot-cache lookups (hits + misses) of each process: one per whole-object GET that reached it.
    func originCacheLookupsPerProcess() async throws -> [Double] {
        var counts: [Double] = []
        for origin in origins {
            let text = String(decoding: try await Self.request(.GET, origin + "/metrics").body, as: UTF8.self)
            counts.append(
                (Self.metric("darkroom_origin_cache_hits_total", in: text) ?? 0) + (Self.metric("darkroom_origin_cache_misses_total", in: text) ?? 0))
        }
        return counts
    }

    func originCacheLookups() async throws -> Double { try await originCacheLookupsPerProcess().reduce(0, +) }

    // MARK: - HTTP

    struct Answer: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]
        func header(_ name: String) -> String? { headers.first(name: name) }
    }

    /// A plain GET from any URL (a presigned S3 link, say).
    static func get(_ url: String) async throws -> Answer { try await request(.GET, url) }

    static func request(
        _ method: HTTPMethod, _ url: String, headers: [(String, String)] = [], body: String? = nil
    ) async throws -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 64 << 20)
        return Answer(status: Int(response.status.code), headers: response.headers, body: Array(bytes.readableBytesView))
    }

    // MARK: - Life cycle

    static func run(_ body: @Sendable (OriginCluster) async throws -> Void) async throws {
        _ = try TestStack.name
        var environment = TestStack.environment
        environment["DARKROOM_BCRYPT_COST"] = "4"
        environment["DARKROOM_ORIGIN_SIGNING_KEYS"] = signingKeys.joined(separator: ",")
        // As AccountStack does: the buckets (127.0.0.1's among them) are shared with every suite through Redis, and a
        // default 10/1h signup here would push the address's bucket minutes ahead for the other live tests.
        for entry in DarkroomConfiguration.RateLimits.variables { environment[entry.variable] = "1000000/1s" }
        let configuration = try DarkroomConfiguration(environment: environment)
        let dependencies = try DarkroomDependencies(configuration: configuration, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            let serviceGroup = ServiceGroup(configuration: .init(services: dependencies.services, logger: logger))
            group.addTask { try await serviceGroup.run() }
            defer { group.cancelAll() }
            _ = try await Migrator().migrate(dependencies.postgres, logger: logger)

            var children: [ChildProcess] = []
            var exited: Set<pid_t> = []
            let prefix = FileManager.default.temporaryDirectory.appendingPathComponent("darkroom-edge-\(UUID().uuidString)")
            defer {
                for child in children where !exited.contains(child.pid) { child.signal(SIGKILL) }
                try? FileManager.default.removeItem(at: prefix)
            }
            var origins: [String] = []
            for _ in 0..<2 {
                let port = try freePort()
                var processEnvironment = environment
                processEnvironment["DARKROOM_HTTP_PORT"] = "\(port)"
                children.append(try ChildProcess(ServeProcessTests.binary, ["serve", "--role", "api"], environment: processEnvironment))
                origins.append("http://127.0.0.1:\(port)")
            }
            for origin in origins { try await waitUntilReady(origin + "/health/ready") }

            let edgePort = try freePort()
            let script = TestStack.repositoryRoot.appendingPathComponent("deploy/nginx/run-edge").path
            let hosts = origins.map { $0.replacingOccurrences(of: "http://", with: "") }
            children.append(try ChildProcess(script, [prefix.path, "127.0.0.1:\(edgePort)"] + hosts, environment: environment))
            let edge = "http://127.0.0.1:\(edgePort)"
            try await waitUntilReady(edge + "/health/live")

            let username = AccountStack.uniqueName("origin")
            let credentials = #"{"username":"\#(username)","password":"correct horse"}"#
            let signUp = try await request(.POST, origins[0] + "/v1/users", body: credentials)
            try #require(signUp.status == 201, "signup: \(String(decoding: signUp.body, as: UTF8.self))")
            let user = try JSONDecoder().decode(UserResponse.self, from: Data(signUp.body))
            let logIn = try await request(.POST, origins[0] + "/v1/sessions", body: credentials)
            try #require(logIn.status == 201)
            let session = try JSONDecoder().decode(SessionResponse.self, from: Data(logIn.body))

            let cluster = OriginCluster(
                origins: origins, edge: edge, dependencies: dependencies, owner: try #require(ShardedID(string: user.id)),
                ownerToken: session.token)
            try await body(cluster)

            // Graceful stops: nginx on SIGQUIT, darkroom on SIGTERM; SIGKILL (the defer) only for what hangs.
            for (index, child) in children.enumerated() {
                child.signal(index == children.count - 1 ? SIGQUIT : SIGTERM)
            }
            for child in children where try await child.waitForExit(timeout: .seconds(20)) != nil { exited.insert(child.pid) }
            await serviceGroup.triggerGracefulShutdown()
        }
    }

    private static func waitUntilReady(_ url: String) async throws {
        for _ in 0..<300 {
            if let answer = try? await request(.GET, url), answer.status == 200 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestFailure("\(url) never answered 200")
    }

    /// A port nothing listens on now: bound to 0, read back, released.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw TestFailure("bind() failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// Runs a suite inside one `OriginCluster`.
struct OriginClusterTrait: SuiteTrait, TestScoping {
    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        try await OriginCluster.run { cluster in
            try await OriginCluster.$current.withValue(cluster) { try await function() }
        }
    }
}

extension Trait where Self == OriginClusterTrait {
    static var originCluster: Self { OriginClusterTrait() }
}
