import Hummingbird
import NIOCore
import NIOHTTP1

/// A request body read whole, up to a limit. A `Content-Length` above it is refused before a byte is read; a body
/// that grows past it (chunked, or lying about its length) as soon as it does. Either way 413, and the connection
/// is then closed (`APIError.closesConnection`), so the rest is never received. Broken chunked framing stays the
/// parser's error (400, `ErrorMapping`); a body that breaks off (EOF mid-body, a reset) means the client went away,
/// and nobody is left to answer: `CancellationError`.
enum BoundedBody {
    static func collect(_ request: Request, limit: Int, what: String) async throws -> ByteBuffer {
        let tooLarge = APIError(.payloadTooLarge, "\(what) is larger than \(limit) bytes")
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit { throw tooLarge }
        do {
            return try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw tooLarge
        } catch let error as HTTPParserError where error != .invalidEOFState {
            throw error
        } catch {
            throw CancellationError()
        }
    }
}
