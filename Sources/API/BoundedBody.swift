import Hummingbird
import NIOCore

/// A request body read whole, up to a limit. A `Content-Length` above it is refused before a byte is read; a body
/// that grows past it (chunked, or lying about its length) as soon as it does. Either way 413, and the connection
/// is then closed (`APIError.closesConnection`), so the rest is never received.
enum BoundedBody {
    static func collect(_ request: Request, limit: Int, what: String) async throws -> ByteBuffer {
        let tooLarge = APIError(.payloadTooLarge, "\(what) is larger than \(limit) bytes")
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit { throw tooLarge }
        do {
            return try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw tooLarge
        }
    }
}
