import Foundation
import Hummingbird
import NIOCore

/// Reads a small JSON body with a size limit; every way it can be wrong is a 4xx that names the field when it can.
public enum JSONRequestBody {
    /// Account and session bodies are a few short strings.
    public static let defaultLimit = 16 * 1024

    public static func decode<T: Decodable>(_ type: T.Type, from request: Request, limit: Int = defaultLimit) async throws -> T {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw APIError(.payloadTooLarge, "the body is larger than \(limit) bytes")
        }
        guard buffer.readableBytes > 0 else { throw APIError(.badRequest, "a JSON body is required") }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch let error as DecodingError {
            throw apiError(for: error)
        }
    }

    static func apiError(for error: DecodingError) -> APIError {
        switch error {
        case .keyNotFound(let key, let context):
            let field = (context.codingPath + [key]).map(\.stringValue).joined(separator: ".")
            return APIError(.validationFailed, "\(field) is required", field: field)
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            guard !field.isEmpty else { return APIError(.badRequest, "the body must be a JSON object") }
            return APIError(.validationFailed, "\(field) has the wrong type", field: field)
        case .dataCorrupted:
            return APIError(.badRequest, "the body is not valid JSON")
        @unknown default:
            return APIError(.badRequest, "the body is not valid JSON")
        }
    }
}
