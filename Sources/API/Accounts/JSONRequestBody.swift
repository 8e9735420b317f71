import Foundation
import Hummingbird
import NIOCore
import Pipeline

/// Reads a small JSON body with a size limit; every way it can be wrong is a 4xx that names the field when it can.
public enum JSONRequestBody {
    /// Room for the braces, quotes, colons, commas, key names and whitespace around the values.
    static let structureAllowance = 1_024

    /// The largest body that can carry text fields of at most these lengths (in code points), each spelled in the
    /// longest way JSON allows (`\uXXXX\uXXXX` per code point), so a body within the field limits always fits.
    public static func limit(textFieldLimits: [Int]) -> Int {
        textFieldLimits.reduce(structureAllowance) { $0 + $1 * TextRules.maxJSONBytesPerCodePoint }
    }

    public static func decode<T: Decodable>(_ type: T.Type, from request: Request, limit: Int) async throws -> T {
        let buffer = try await BoundedBody.collect(request, limit: limit, what: "the body")
        guard buffer.readableBytes > 0 else { throw APIError(.badRequest, "a JSON body is required") }
        let bytes = Array(buffer.readableBytesView)
        do {
            try StrictJSON.check(bytes)
        } catch {
            switch error {
            case .invalidUTF8: throw APIError(.badRequest, "the body is not valid UTF-8")
            case .unpairedSurrogate: throw APIError(.badRequest, "the body has a \\u escape naming half a surrogate pair")
            case .duplicateKey(let key): throw APIError(.validationFailed, "\(key) is given more than once", field: key)
            }
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
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
