import API
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore

/// Upload helpers: multipart (as browsers and apps send) and raw-body uploads.
extension TestClientProtocol {
    @discardableResult
    public func upload(
        _ bytes: [UInt8], filename: String = "photo.jpg", fields: [String: String] = [:], token: String?
    ) async throws -> (status: HTTPResponse.Status, headers: HTTPFields, body: ByteBuffer) {
        let boundary = "darkroom-test-\(UUID().uuidString)"
        var body = ByteBuffer()
        for (name, value) in fields.sorted(by: { $0.key < $1.key }) {
            body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n")
        }
        body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"\(filename)\"\r\n")
        body.writeString("Content-Type: application/octet-stream\r\n\r\n")
        body.writeBytes(bytes)
        body.writeString("\r\n--\(boundary)--\r\n")
        var headers: HTTPFields = [:]
        headers[.contentType] = "multipart/form-data; boundary=\(boundary)"
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await execute(uri: "/v1/media", method: .post, headers: headers, body: body) { ($0.status, $0.headers, $0.body) }
    }

    /// The image as the whole body; fields go in the query string.
    @discardableResult
    public func uploadRaw(
        _ bytes: [UInt8], query: String = "", token: String?
    ) async throws -> (status: HTTPResponse.Status, headers: HTTPFields, body: ByteBuffer) {
        var headers: HTTPFields = [:]
        headers[.contentType] = "image/jpeg"
        if let token { headers[.authorization] = "Bearer \(token)" }
        let uri = query.isEmpty ? "/v1/media" : "/v1/media?\(query)"
        return try await execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(bytes: bytes)) { ($0.status, $0.headers, $0.body) }
    }

    /// Signs up a fresh user and logs in: (user, token).
    public func newSession(_ username: String) async throws -> (user: UserResponse, token: String) {
        let user = try await signUp(username)
        return (user, try await logIn(username).token)
    }
}

public func decodeMedia(_ body: ByteBuffer) throws -> MediaResponse {
    try JSONDecoder().decode(MediaResponse.self, from: Data(body.readableBytesView))
}
