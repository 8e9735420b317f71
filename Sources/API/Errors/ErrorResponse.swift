import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The body of every error answer: `{"error":{"code":"...","message":"...","field":"..."}}` (`field` only for
/// validation failures).
public struct ErrorResponse: Codable, Sendable, Equatable {
    public struct Body: Codable, Sendable, Equatable {
        public var code: String
        public var message: String
        public var field: String?

        public init(code: String, message: String, field: String? = nil) {
            self.code = code
            self.message = message
            self.field = field
        }
    }
    public var error: Body

    public init(_ error: APIError) {
        self.error = Body(code: error.code.description, message: error.message, field: error.field)
    }

    /// The full HTTP answer for `error`: status from `ErrorMapping`, JSON body, `Retry-After` when set,
    /// `Connection: close` when the connection must end (`ConnectionCloseHandler` then closes it).
    public static func response(for error: APIError) -> Response {
        let body = self.body(for: error)
        return Response(status: ErrorMapping.status(of: error.code), headers: headers(for: error), body: ResponseBody(byteBuffer: body))
    }

    static func headers(for error: APIError) -> HTTPFields {
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"]
        if let retryAfter = error.retryAfter { headers[.retryAfter] = String(retryAfter) }
        for header in error.headers {
            if let name = HTTPField.Name(header.name) { headers.append(HTTPField(name: name, value: header.value)) }
        }
        if error.closesConnection { headers[.connection] = "close" }
        return headers
    }

    static func body(for error: APIError) -> ByteBuffer {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Encoding three strings cannot fail; a fixed body keeps the contract even if it somehow did.
        let data = (try? encoder.encode(ErrorResponse(error))) ?? Data(#"{"error":{"code":"internal_error","message":"internal error"}}"#.utf8)
        return ByteBuffer(bytes: data)
    }
}
