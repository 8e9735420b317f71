import API
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// HTTP helpers shared by the route tests (in-memory stores) and the integration tests (the real stack).
extension TestClientProtocol {
    /// A JSON request; returns status, headers and the decoded body as a dictionary (or `nil` for an empty body).
    @discardableResult
    public func json(
        _ method: HTTPRequest.Method, _ uri: String, _ body: String? = nil, token: String? = nil
    ) async throws -> (status: HTTPResponse.Status, headers: HTTPFields, body: ByteBuffer) {
        var headers: HTTPFields = [:]
        if body != nil { headers[.contentType] = "application/json" }
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) { response in
            (response.status, response.headers, response.body)
        }
    }

    public func signUp(_ username: String, password: String = "correct horse") async throws -> UserResponse {
        let answer = try await json(.post, "/v1/users", #"{"username":"\#(username)","password":"\#(password)"}"#)
        try #require(answer.status == .created, "signup of \(username): \(String(buffer: answer.body))")
        return try JSONDecoder().decode(UserResponse.self, from: Data(answer.body.readableBytesView))
    }

    public func logIn(_ username: String, password: String = "correct horse") async throws -> SessionResponse {
        let answer = try await json(.post, "/v1/sessions", #"{"username":"\#(username)","password":"\#(password)"}"#)
        try #require(answer.status == .created, "login of \(username): \(String(buffer: answer.body))")
        return try JSONDecoder().decode(SessionResponse.self, from: Data(answer.body.readableBytesView))
    }
}
