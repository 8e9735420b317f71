import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1

/// One HTTP exchange as the S3 client sees it: small bodies held in memory both ways.
struct S3HTTPRequest: Sendable {
    var method: String
    var url: String
    var headers: [(name: String, value: String)]
    var body: ByteBuffer?
}

struct S3HTTPResponse: Sendable {
    var status: Int
    var headers: [(name: String, value: String)]
    var body: ByteBuffer

    /// The first value of `name` (case-insensitive).
    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name }?.value
    }
}

/// The seam between the S3 logic and the network, so retries and error mapping are unit-tested
/// against scripted answers.
protocol S3Transport: Sendable {
    /// Performs one attempt; must return or throw by `deadline` (the caller also enforces it).
    func execute(_ request: S3HTTPRequest, deadline: NIODeadline, maxResponseBytes: Int, logger: Logger) async throws
        -> S3HTTPResponse
}

struct AsyncHTTPClientTransport: S3Transport {
    let client: HTTPClient

    func execute(_ request: S3HTTPRequest, deadline: NIODeadline, maxResponseBytes: Int, logger: Logger) async throws
        -> S3HTTPResponse
    {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for header in request.headers {
            outgoing.headers.add(name: header.name, value: header.value)
        }
        if let body = request.body {
            outgoing.body = .bytes(body)
        } else if request.method == "PUT" || request.method == "POST" {
            // An empty PUT must still send Content-Length: 0 or S3 answers 411 MissingContentLength.
            outgoing.body = .bytes(ByteBuffer())
        }
        let response = try await client.execute(outgoing, deadline: deadline, logger: logger)
        let body: ByteBuffer
        if request.method == "HEAD" {
            body = ByteBuffer()
        } else {
            body = try await response.body.collect(upTo: maxResponseBytes)
        }
        return S3HTTPResponse(
            status: Int(response.status.code),
            headers: response.headers.map { (name: $0.name, value: $0.value) },
            body: body
        )
    }
}
