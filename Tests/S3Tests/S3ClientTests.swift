import Foundation
import Logging
import NIOCore
import Synchronization
import Testing

@testable import S3

/// The S3 client against scripted answers: what it sends, how it retries, what it throws.
@Suite struct S3ClientTests {
    /// Answers requests from a script, records what was sent.
    final class ScriptedTransport: S3Transport {
        enum Step: Sendable {
            case respond(status: Int, headers: [(name: String, value: String)] = [], body: String = "")
            case fail(any Error & Sendable)
            /// Never answers (until cancelled), like a stopped server holding the connection.
            case hang
        }
        private let state: Mutex<(steps: [Step], requests: [S3HTTPRequest])>

        init(_ steps: [Step]) { state = Mutex((steps, [])) }

        var requests: [S3HTTPRequest] { state.withLock { $0.requests } }

        func execute(_ request: S3HTTPRequest, deadline: NIODeadline, maxResponseBytes: Int, logger: Logger) async throws
            -> S3HTTPResponse
        {
            let step = state.withLock { state -> Step? in
                state.requests.append(request)
                return state.steps.isEmpty ? nil : state.steps.removeFirst()
            }
            switch step {
            case .respond(let status, let headers, let body)?:
                return S3HTTPResponse(status: status, headers: headers, body: ByteBuffer(string: body))
            case .fail(let error)?:
                throw error
            case .hang?:
                try await Task.sleep(for: .seconds(3600))
                Issue.record("a hung attempt was not cancelled")
                return S3HTTPResponse(status: 599, headers: [], body: ByteBuffer())
            case nil:
                Issue.record("unexpected request \(request.method) \(request.url)")
                return S3HTTPResponse(status: 599, headers: [], body: ByteBuffer())
            }
        }
    }

    final class AttemptLog: Sendable {
        let attempts = Mutex<[S3Client.Attempt]>([])
        let sleeps = Mutex<[Duration]>([])
        var count: Int { attempts.withLock { $0.count } }
    }

    static let configuration = S3Configuration(
        endpoint: "http://127.0.0.1:8433", region: "us-east-1", bucket: "darkroom",
        credentials: .init(accessKey: "AKID", secretKey: "SECRET"))

    static func makeStore(
        _ transport: ScriptedTransport, log: AttemptLog = AttemptLog(), configuration: S3Configuration = configuration
    ) throws -> S3Client {
        try S3Client(
            configuration: configuration, transport: transport, ownedClient: nil, logger: Logger(label: "test"),
            onAttempt: { attempt in log.attempts.withLock { $0.append(attempt) } },
            now: { Date(timeIntervalSince1970: 1_369_353_600) }, random: { 0.5 },
            sleep: { duration in log.sleeps.withLock { $0.append(duration) } })
    }

    static func errorXML(_ code: String, _ message: String = "message") -> String {
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>\(code)</Code><Message>\(message)</Message></Error>"
    }

    static func header(_ request: S3HTTPRequest, _ name: String) -> String? {
        request.headers.first { $0.name == name }?.value
    }

    @Test func putSendsASignedPathStyleRequest() async throws {
        let transport = ScriptedTransport([.respond(status: 200, headers: [(name: "ETag", value: "\"abc123\"")])])
        let store = try Self.makeStore(transport)
        let etag = try await store.put(ByteBuffer(string: "hello"), at: ObjectKey("p/a b/ü.jpg"), contentType: "image/jpeg", createOnly: true)
        #expect(etag == "abc123")
        let request = try #require(transport.requests.first)
        #expect(request.method == "PUT")
        #expect(request.url == "http://127.0.0.1:8433/darkroom/p/a%20b/%C3%BC.jpg")
        #expect(Self.header(request, "host") == "127.0.0.1:8433")
        #expect(Self.header(request, "if-none-match") == "*")
        #expect(Self.header(request, "content-type") == "image/jpeg")
        #expect(Self.header(request, "x-amz-content-sha256") == S3RequestSigner.payloadHash(of: Array("hello".utf8)))
        #expect(Self.header(request, "x-amz-date") == "20130524T000000Z")
        let authorization = try #require(Self.header(request, "authorization"))
        #expect(authorization.hasPrefix("AWS4-HMAC-SHA256 Credential=AKID/20130524/us-east-1/s3/aws4_request,"))
        #expect(authorization.contains("SignedHeaders=content-md5;content-type;host;if-none-match;x-amz-content-sha256;x-amz-date,"))
        #expect(Self.header(request, "content-md5") == "XUFAKrxLKna5cZ2REBfFkg==")
        #expect(request.body.map { String(buffer: $0) } == "hello")
    }

    /// A caller that has the body's digests (the upload's Receive stage) hands them over: the client signs and checks
    /// with them and does not hash the body again.
    @Test func putUsesTheGivenDigestsInsteadOfHashingAgain() async throws {
        let transport = ScriptedTransport([.respond(status: 200)])
        let store = try Self.makeStore(transport)
        // Marked digests: what the request carries can only come from them.
        let sha256 = [UInt8](repeating: 0xAB, count: 32)
        let md5 = [UInt8](repeating: 0xCD, count: 16)
        try await store.put(ByteBuffer(string: "hello"), at: ObjectKey("k"), contentType: "image/jpeg", createOnly: false, sha256: sha256, md5: md5)
        let request = try #require(transport.requests.first)
        #expect(Self.header(request, "content-md5") == Data(md5).base64EncodedString())
        #expect(Self.header(request, "x-amz-content-sha256") == String(repeating: "ab", count: 32))
    }

    @Test func createOnlyPutOnAnExistingKeyIsAlreadyExistsAfterOneAttempt() async throws {
        let transport = ScriptedTransport([.respond(status: 412, body: Self.errorXML("PreconditionFailed"))])
        let log = AttemptLog()
        let store = try Self.makeStore(transport, log: log)
        await #expect {
            try await store.put(ByteBuffer(string: "x"), at: ObjectKey("k"), contentType: "text/plain", createOnly: true)
        } throws: { error in
            let error = error as? S3Error
            return error?.code == .alreadyExists && error?.serverCode == "PreconditionFailed" && error?.httpStatus == 412
        }
        #expect(log.count == 1)
    }

    @Test func retriesServerErrorsThenSucceeds() async throws {
        let transport = ScriptedTransport([
            .respond(status: 503, body: Self.errorXML("SlowDown")),
            .fail(HTTPClientErrorStandIn.connectionReset),
            .respond(status: 200, headers: [(name: "Content-Type", value: "image/webp"), (name: "ETag", value: "\"e\"")], body: "abc"),
        ])
        let log = AttemptLog()
        let store = try Self.makeStore(transport, log: log)
        let object = try await store.get(ObjectKey("k.webp"), range: nil)
        #expect(String(buffer: object.body) == "abc")
        #expect(object.contentType == "image/webp")
        #expect(object.etag == "e")
        #expect(log.attempts.withLock { $0.map(\.willRetry) } == [true, true, false])
        // Full jitter with random 0.5 and a 100 ms base: 50 ms, then 100 ms.
        #expect(log.sleeps.withLock { $0 } == [.milliseconds(50), .milliseconds(100)])
        // Each attempt is signed again (a retried request must carry a fresh X-Amz-Date).
        #expect(transport.requests.count == 3)
    }

    @Test func givesUpAfterThreeAttemptsWithUnavailable() async throws {
        let transport = ScriptedTransport(Array(repeating: .respond(status: 500, body: Self.errorXML("InternalError", "boom")), count: 3))
        let log = AttemptLog()
        let store = try Self.makeStore(transport, log: log)
        await #expect {
            try await store.head(ObjectKey("k"))
        } throws: { error in
            let error = error as? S3Error
            return error?.code == .unavailable && error?.serverCode == "InternalError" && error?.httpStatus == 500
        }
        #expect(log.count == 3)
    }

    @Test(arguments: [
        (403, "SignatureDoesNotMatch", S3Error.Code.accessDenied),
        (403, "InvalidAccessKeyId", .accessDenied),
        (400, "InvalidArgument", .rejected),
        (404, "NoSuchKey", .notFound),
        (416, "InvalidRange", .invalidRange),
        (409, "OperationAborted", .conflict),
    ])
    func clientErrorsAreNeverRetried(status: Int, code: String, expected: S3Error.Code) async throws {
        let transport = ScriptedTransport([.respond(status: status, body: Self.errorXML(code, "why"))])
        let log = AttemptLog()
        let store = try Self.makeStore(transport, log: log)
        await #expect {
            try await store.get(ObjectKey("a/b.jpg"), range: .closed(first: 0, last: 9))
        } throws: { error in
            let error = error as? S3Error
            return error?.code == expected && error?.serverCode == code && error?.message == "why (get a/b.jpg)"
        }
        #expect(log.count == 1)
    }

    @Test func timeoutsAreRetriedThenReportedAsTimeout() async throws {
        let transport = ScriptedTransport(Array(repeating: .fail(S3Client.AttemptTimedOut()), count: 3))
        let log = AttemptLog()
        let store = try Self.makeStore(transport, log: log)
        await #expect {
            try await store.delete(ObjectKey("k"))
        } throws: { ($0 as? S3Error)?.code == .timeout }
        #expect(log.count == 3)
    }

    @Test(.timeLimit(.minutes(1)))
    func aHungAttemptIsCutAtItsDeadlineAndRetried() async throws {
        var configuration = Self.configuration
        configuration.attemptTimeout = .milliseconds(100)
        configuration.requestTimeout = .seconds(30)
        let transport = ScriptedTransport([.hang, .respond(status: 200, body: "ok")])
        let log = AttemptLog()
        let store = try Self.makeStore(transport, log: log, configuration: configuration)
        let object = try await store.get(ObjectKey("k"), range: nil)
        #expect(String(buffer: object.body) == "ok")
        #expect(log.attempts.withLock { $0.map(\.outcome) } == [.timedOut, nil])
    }

    @Test(.timeLimit(.minutes(1)))
    func theOperationDeadlineEndsRetriesWithTimeout() async throws {
        var configuration = Self.configuration
        configuration.attemptTimeout = .milliseconds(100)
        configuration.requestTimeout = .milliseconds(150)
        let transport = ScriptedTransport([.hang, .hang, .hang])
        let log = AttemptLog()
        let store = try Self.makeStore(transport, log: log, configuration: configuration)
        await #expect { try await store.get(ObjectKey("k"), range: nil) } throws: { ($0 as? S3Error)?.code == .timeout }
        // The first attempt uses 100 ms of the 150 ms budget; the second gets only what is left.
        #expect(log.count <= 2)
    }

    @Test func connectionFailuresEndAsUnavailable() async throws {
        let transport = ScriptedTransport(Array(repeating: .fail(HTTPClientErrorStandIn.connectionReset), count: 3))
        let store = try Self.makeStore(transport)
        await #expect {
            try await store.checkHealth()
        } throws: { ($0 as? S3Error)?.code == .unavailable }
    }

    @Test func rangedGetReturnsContentRange() async throws {
        let transport = ScriptedTransport([
            .respond(
                status: 206,
                headers: [
                    (name: "Content-Range", value: "bytes 2-4/10"), (name: "Content-Type", value: "image/jpeg"),
                    (name: "ETag", value: "\"t\""),
                ], body: "cde")
        ])
        let store = try Self.makeStore(transport)
        let object = try await store.get(ObjectKey("k"), range: .closed(first: 2, last: 4))
        #expect(Self.header(transport.requests[0], "range") == "bytes=2-4")
        #expect(transport.requests[0].headers.contains { $0.name == "authorization" && $0.value.contains("SignedHeaders=host;range;") })
        #expect(object.contentRange == ContentRange(first: 2, last: 4, total: 10))
        #expect(object.contentLength == 3)
    }

    @Test func aServerIgnoringRangeIsSlicedLocally() async throws {
        let transport = ScriptedTransport([.respond(status: 200, body: "0123456789")])
        let store = try Self.makeStore(transport)
        let object = try await store.get(ObjectKey("k"), range: .suffix(length: 3))
        #expect(String(buffer: object.body) == "789")
        #expect(object.contentRange == ContentRange(first: 7, last: 9, total: 10))
    }

    @Test func headReadsMetadata() async throws {
        let transport = ScriptedTransport([
            .respond(
                status: 200,
                headers: [
                    (name: "Content-Length", value: "434234"), (name: "ETag", value: "\"fba9dede5f27731c9771645a39863328\""),
                    (name: "Content-Type", value: "image/jpeg"), (name: "Last-Modified", value: "Fri, 24 May 2013 00:00:00 GMT"),
                ])
        ])
        let store = try Self.makeStore(transport)
        let metadata = try await store.head(ObjectKey("k"))
        #expect(
            metadata
                == ObjectMetadata(
                    size: 434_234, etag: "fba9dede5f27731c9771645a39863328", contentType: "image/jpeg",
                    lastModified: Date(timeIntervalSince1970: 1_369_353_600)))
    }

    @Test func deleteIsIdempotentButAMissingBucketIsNot() async throws {
        let transport = ScriptedTransport([
            .respond(status: 204),
            .respond(status: 404, body: Self.errorXML("NoSuchKey")),
            .respond(status: 404, body: Self.errorXML("NoSuchBucket")),
        ])
        let store = try Self.makeStore(transport)
        try await store.delete(ObjectKey("k"))
        try await store.delete(ObjectKey("k"))
        await #expect {
            try await store.delete(ObjectKey("k"))
        } throws: { ($0 as? S3Error)?.code == .notFound }
    }

    @Test func listFollowsContinuationTokens() async throws {
        let page1 = """
            <ListBucketResult><IsTruncated>true</IsTruncated>
            <Contents><Key>p/1</Key><Size>1</Size><ETag>"a"</ETag></Contents>
            <NextContinuationToken>tok/en+1=</NextContinuationToken></ListBucketResult>
            """
        let page2 = "<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>p/2</Key><Size>2</Size></Contents></ListBucketResult>"
        let transport = ScriptedTransport([.respond(status: 200, body: page1), .respond(status: 200, body: page2)])
        let store = try Self.makeStore(transport)
        let first = try await store.list(prefix: "p/", continuationToken: nil, limit: 1)
        let second = try await store.list(prefix: "p/", continuationToken: first.continuationToken, limit: 1)
        let entries = first.entries + second.entries
        #expect(entries.map(\.key.rawValue) == ["p/1", "p/2"])
        #expect(transport.requests[0].url == "http://127.0.0.1:8433/darkroom?list-type=2&max-keys=1&prefix=p%2F")
        #expect(
            transport.requests[1].url
                == "http://127.0.0.1:8433/darkroom?continuation-token=tok%2Fen%2B1%3D&list-type=2&max-keys=1&prefix=p%2F")
    }

    @Test(arguments: [
        (200, "", true),
        (409, "BucketAlreadyOwnedByYou", true),
        (409, "BucketAlreadyExists", true),
        (403, "AccessDenied", false),
    ])
    func createBucketIfMissingAcceptsAnExistingBucket(status: Int, code: String, succeeds: Bool) async throws {
        let transport = ScriptedTransport([.respond(status: status, body: code.isEmpty ? "" : Self.errorXML(code))])
        let store = try Self.makeStore(transport)
        if succeeds {
            try await store.createBucketIfMissing()
        } else {
            await #expect(throws: S3Error.self) { try await store.createBucketIfMissing() }
        }
        #expect(transport.requests.first?.url == "http://127.0.0.1:8433/darkroom")
        #expect(transport.requests.first?.method == "PUT")
    }

    @Test func presignedURLIsPathStyleWithQueryAuth() throws {
        let store = try Self.makeStore(ScriptedTransport([]))
        let url = try store.presignedGetURL(for: ObjectKey("p/a b.jpg"), expiresIn: .seconds(600))
        #expect(url.hasPrefix("http://127.0.0.1:8433/darkroom/p/a%20b.jpg?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=600&X-Amz-SignedHeaders=host&X-Amz-Signature="))
        #expect(throws: S3Error.self) { try store.presignedGetURL(for: ObjectKey("k"), expiresIn: .seconds(604_801)) }
        #expect(throws: S3Error.self) { try store.presignedGetURL(for: ObjectKey("k"), expiresIn: .zero) }
    }

    @Test(arguments: [
        ("http://127.0.0.1:8433", "http://127.0.0.1:8433", "127.0.0.1:8433"),
        ("http://127.0.0.1:8433/", "http://127.0.0.1:8433", "127.0.0.1:8433"),
        ("https://s3.example.com:443", "https://s3.example.com", "s3.example.com"),
        ("http://localhost", "http://localhost", "localhost"),
    ])
    func endpointParsing(text: String, base: String, host: String) throws {
        let endpoint = try S3Client.Endpoint(text)
        #expect(endpoint.base == base)
        #expect(endpoint.hostHeader == host)
    }

    @Test(arguments: ["127.0.0.1:8433", "ftp://host", "http://host/path", "http://"])
    func badEndpointsAreRefused(text: String) {
        #expect(throws: S3Error.self) { try S3Client.Endpoint(text) }
    }

    @Test(arguments: ["", "/leading", "a//b", "a/./b", "../x", "trailing/", "tab\there"])
    func badKeysAreRefused(key: String) {
        #expect { try ObjectKey(key) } throws: { ($0 as? S3Error)?.code == .invalidArgument }
    }

    @Test func anOwnedClientShutsDownOnceAndRefusesWorkAfterwards() async throws {
        let store = try S3Client(configuration: Self.configuration, logger: Logger(label: "test"))
        try await store.shutdown()
        try await store.shutdown()
        await #expect { try await store.head(ObjectKey("k")) } throws: { ($0 as? S3Error)?.code == .unavailable }
    }

    @Test func configurationNeverPrintsTheSecret() {
        #expect(!String(describing: Self.configuration).contains("SECRET"))
    }
}

/// A connection-level failure as NIO reports it, without needing a socket.
enum HTTPClientErrorStandIn {
    static let connectionReset = IOError(errnoCode: 104, reason: "read")
}
