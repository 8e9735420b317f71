import API
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing

/// The HTTP server itself against a hostile client, over raw sockets to the real server (`.live`) on the test
/// stack: broken chunked framing, slowloris heads, idle and bare connections, too many connections, and a body
/// refused with 413. Each limit is set low in the test's environment; the waits below bound a broken server, they
/// measure nothing.
@Suite(.timeLimit(.minutes(3)))
struct ConnectionLimitsIntegrationTests {
    static func live(
        _ environment: [String: String], _ body: @Sendable (any TestClientProtocol, Int) async throws -> Void
    ) async throws {
        try await AccountStack.run(environment: environment, live: true) { _, client in
            try await body(client, try #require(client.port))
        }
    }

    static let healthCheck = "GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n"
    static let lastHealthCheck = "GET /health/live HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"

    static func request(_ method: String, _ path: String, token: String?, headers: [String], body: String) -> String {
        let lines = ["\(method) \(path) HTTP/1.1", "Host: localhost"] + (token.map { ["Authorization: Bearer \($0)"] } ?? []) + headers
        return lines.joined(separator: "\r\n") + "\r\n\r\n" + body
    }

    /// Every route that reads a body, with a content type it accepts.
    static let bodyRoutes: [(path: String, contentType: String, needsToken: Bool)] = [
        ("/v1/users", "application/json", false),
        ("/v1/sessions", "application/json", false),
        ("/v1/media", "image/jpeg", true),
        ("/v1/media/{id}/comments", "application/json", true),
    ]

    @Test(arguments: ["ZZZ", "-5", "FFFFFFFFFFFFFFFFFFFF"])
    func malformedChunkedFramingIs400OnEveryRouteThatReadsABody(chunkSize: String) async throws {
        try await Self.live([:]) { client, port in
            let (user, token) = try await client.newSession(AccountStack.uniqueName("chunk"))
            for route in Self.bodyRoutes {
                let request = Self.request(
                    "POST", route.path.replacingOccurrences(of: "{id}", with: user.id), token: route.needsToken ? token : nil,
                    headers: ["Content-Type: \(route.contentType)", "Transfer-Encoding: chunked"],
                    body: "\(chunkSize)\r\n{\"text\":\"x\"}\r\n0\r\n\r\n")
                let answer = try await RawHTTPConnection.exchange(port: port, sending: request)
                #expect(answer.hasPrefix("HTTP/1.1 400 "), "\(route.path): \(answer)")
                #expect(answer.contains(#""code":"bad_request""#), "\(route.path): \(answer)")
                #expect(answer.lowercased().contains("connection: close"), "\(route.path): \(answer)")
            }
        }
    }

    @Test func aHeadThatNeverEndsIsClosedAfterTheHeaderTimeout() async throws {
        try await Self.live(["DARKROOM_HTTP_HEADER_TIMEOUT_MS": "300", "DARKROOM_HTTP_IDLE_TIMEOUT_MS": "600000"]) { _, port in
            // A connection's first request, trickled.
            let first = try await RawHTTPConnection.with(port: port) { connection in
                try await connection.send("POST /v1/users HTTP/1.1\r\nHost: localhost\r\n")
                try await connection.send("X-Slow: 1\r\n")
                return try await connection.readUntilClosed()
            }
            #expect(first.isEmpty, "\(first)")
            // A later request on a kept-alive connection: its head's clock starts with its first bytes.
            let later = try await RawHTTPConnection.with(port: port) { connection in
                try await connection.send(Self.healthCheck)
                let response = try await connection.readResponse()
                try await connection.send("GET /health/live HTTP/1.1\r\nHost: loc")
                return (response, try await connection.readUntilClosed())
            }
            #expect(later.0.hasPrefix("HTTP/1.1 200 "), "\(later.0)")
            #expect(later.1.isEmpty, "\(later.1)")
            // Nothing at all: the first head never comes either.
            let bare = try await RawHTTPConnection.exchange(port: port)
            #expect(bare.isEmpty)
        }
    }

    @Test func idleConnectionsAreClosedAfterTheIdleTimeout() async throws {
        try await Self.live(["DARKROOM_HTTP_HEADER_TIMEOUT_MS": "600000", "DARKROOM_HTTP_IDLE_TIMEOUT_MS": "300"]) { _, port in
            let bare = try await RawHTTPConnection.exchange(port: port)
            #expect(bare.isEmpty)
            let keptAlive = try await RawHTTPConnection.exchange(port: port, sending: Self.healthCheck)
            #expect(keptAlive.hasPrefix("HTTP/1.1 200 "), "the response, then the close: \(keptAlive)")
        }
    }

    /// Opens `count` connections, each proving it was admitted with one request, then runs `body` with them open.
    static func holding<T: Sendable>(_ count: Int, port: Int, _ body: () async throws -> T) async throws -> T {
        guard count > 0 else { return try await body() }
        return try await RawHTTPConnection.with(port: port) { connection in
            try await connection.send(healthCheck)
            let response = try await connection.readResponse()
            try #require(response.hasPrefix("HTTP/1.1 200 "), "\(response)")
            return try await holding(count - 1, port: port, body)
        }
    }

    @Test func connectionsBeyondTheCapAreAnswered503AndClosed() async throws {
        let environment = [
            "DARKROOM_HTTP_MAX_CONNECTIONS": "3", "DARKROOM_HTTP_HEADER_TIMEOUT_MS": "2000", "DARKROOM_HTTP_IDLE_TIMEOUT_MS": "600000",
        ]
        try await Self.live(environment) { client, port in
            // The test client's own kept-alive connection holds the first place.
            #expect(try await client.execute(uri: "/health/live", method: .get) { $0.status } == .ok)
            let refusal = try await Self.holding(2, port: port) {
                try await RawHTTPConnection.exchange(port: port)
            }
            #expect(refusal.hasPrefix("HTTP/1.1 503 "), "\(refusal)")
            #expect(refusal.contains(#""code":"overloaded""#), "\(refusal)")
            #expect(refusal.lowercased().contains("retry-after: 1"), "\(refusal)")
            // The held connections are closed now, and their places free again once the server has seen it.
            var admitted = false
            for _ in 0..<50 where !admitted {
                let answer = try await RawHTTPConnection.exchange(port: port, sending: Self.lastHealthCheck)
                admitted = answer.hasPrefix("HTTP/1.1 200 ")
                if !admitted { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(admitted, "a place is free again once a connection closed")
        }
    }

    struct TooLargeCase: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var path: String
        var headers: [String]
        var body: String
    }

    @Test(arguments: [
        TooLargeCase(
            testDescription: "upload declaring 50 MB", path: "/v1/media", headers: ["Content-Type: image/jpeg", "Content-Length: 50000000"],
            body: String(repeating: "x", count: 1_000)),
        TooLargeCase(
            testDescription: "chunked upload growing past the limit", path: "/v1/media",
            headers: ["Content-Type: image/jpeg", "Transfer-Encoding: chunked"], body: "2000\r\n" + String(repeating: "x", count: 8_192) + "\r\n"),
        TooLargeCase(
            testDescription: "JSON body declaring 1 MB", path: "/v1/media/{id}/comments",
            headers: ["Content-Type: application/json", "Content-Length: 1000000"], body: #"{"text":""#),
    ])
    func anEarly413ClosesTheConnectionWithoutReadingTheRest(_ test: TooLargeCase) async throws {
        try await Self.live(["DARKROOM_UPLOAD_MAX_BYTES": "4096"]) { client, port in
            let (user, token) = try await client.newSession(AccountStack.uniqueName("big"))
            let request = Self.request(
                "POST", test.path.replacingOccurrences(of: "{id}", with: user.id), token: token, headers: test.headers, body: test.body)
            // The body is never finished: only a server that stops reading answers at all.
            let answer = try await RawHTTPConnection.exchange(port: port, sending: request)
            #expect(answer.hasPrefix("HTTP/1.1 413 "), "\(answer)")
            #expect(answer.contains(#""code":"payload_too_large""#), "\(answer)")
            #expect(answer.lowercased().contains("connection: close"), "\(answer)")
        }
    }
}
