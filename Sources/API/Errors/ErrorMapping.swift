import HTTPTypes
import Hummingbird
import NIOHTTP1
import Pipeline
import Runtime
import Storage

/// The one place where errors of every module become what a client sees: a stable code, a safe message and a status.
public enum ErrorMapping {
    /// Seconds a client is asked to wait when a dependency is down.
    public static let dependencyRetryAfter = 2

    public static func status(of code: APIError.Code) -> HTTPResponse.Status {
        switch code {
        case .badRequest, .validationFailed: .badRequest
        case .unauthorized: .unauthorized
        case .forbidden: .forbidden
        case .notFound: .notFound
        case .methodNotAllowed: .methodNotAllowed
        case .conflict, .usernameTaken: .conflict
        case .payloadTooLarge: .contentTooLarge
        case .unsupportedMedia, .unprocessable, .emptyFile, .unsupportedFormat, .corruptImage, .tooManyPixels, .cannotFollowSelf: .unprocessableContent
        case .unavailable, .overloaded: .serviceUnavailable
        case .rangeNotSatisfiable: .rangeNotSatisfiable
        case .rateLimited: .tooManyRequests
        case .clientClosedRequest: HTTPResponse.Status(code: 499, reasonPhrase: "Client Closed Request")
        default: .internalServerError
        }
    }

    /// `isInternal` marks what the client may not see explained: those are logged in full by the error middleware.
    public static func apiError(for error: any Error) -> (error: APIError, isInternal: Bool) {
        switch StorageError.mapping(error) {
        case let error as APIError:
            return (error, status(of: error.code) == .internalServerError)
        case let error as StorageError:
            return storage(error)
        case let error as PipelineError:
            return pipeline(error)
        case let error as HTTPError:
            return http(error)
        case let error as TextRules.Violation:
            return (APIError(error), false)
        case is BoundedThreadPool.Saturated:
            return (APIError(.overloaded, "the server is at capacity, retry shortly", retryAfter: overloadedRetryAfter), false)
        case is DecodingError:
            return (APIError(.badRequest, "the body is not valid JSON for this request"), false)
        case is CancellationError:
            // `BoundedBody`: the body broke off, the client is gone; what it would be told is only logged.
            return (APIError(.clientClosedRequest, "the client closed the connection"), false)
        case is HTTPParserError:
            // NIO's decoder failed in the body (bad chunked framing); the stream cannot be resynchronised.
            return (APIError(.badRequest, "the request's framing is malformed", closesConnection: true), false)
        case is DeadlineExceeded:
            return (APIError(.unavailable, "a dependency did not answer in time", retryAfter: dependencyRetryAfter), false)
        default:
            return (internalError, true)
        }
    }

    static let internalError = APIError(.internalError, "internal error")

    private static func storage(_ error: StorageError) -> (error: APIError, isInternal: Bool) {
        switch error.code {
        case .unavailable, .timeout:
            (APIError(.unavailable, "a storage dependency is unavailable, retry later", retryAfter: dependencyRetryAfter), false)
        case .notFound:
            (APIError(.notFound, "not found"), false)
        case .alreadyExists, .conflict:
            (APIError(.conflict, "a concurrent change won, retry"), false)
        default:
            (internalError, true)
        }
    }

    /// Seconds an upload refused for capacity is asked to wait: about one 12-MP render on the reference machine.
    public static let overloadedRetryAfter = 1

    private static func pipeline(_ error: PipelineError) -> (error: APIError, isInternal: Bool) {
        switch error.code {
        case .emptyFile: (APIError(.emptyFile, "the upload is empty"), false)
        case .unsupportedFormat: (APIError(.unsupportedFormat, "not a supported image format (JPEG, PNG, WebP, HEIF/AVIF, GIF)"), false)
        case .corruptImage: (APIError(.corruptImage, "the image is corrupt or truncated"), false)
        case .tooManyPixels: (APIError(.tooManyPixels, "the image has too many pixels (at most 50 megapixels, 16384 px a side)"), false)
        case .unknownFilter: (APIError(.validationFailed, "unknown filter", field: "filter"), false)
        case .invalidRequest: (APIError(.validationFailed, "a field is invalid"), false)
        case .overloaded: (APIError(.overloaded, "the server is at capacity, retry shortly", retryAfter: overloadedRetryAfter), false)
        case .unavailable: (APIError(.unavailable, "image processing is unavailable, retry later", retryAfter: dependencyRetryAfter), false)
        default: (internalError, true)
        }
    }

    /// Hummingbird's own errors (route not found, body too large, unreadable body) get fixed messages: theirs may
    /// carry detail.
    private static func http(_ error: HTTPError) -> (error: APIError, isInternal: Bool) {
        switch error.status {
        case .notFound: (APIError(.notFound, "no such resource"), false)
        case .methodNotAllowed: (APIError(.methodNotAllowed, "method not allowed on this resource"), false)
        case .contentTooLarge: (APIError(.payloadTooLarge, "the body is too large"), false)
        case .unauthorized: (APIError(.unauthorized, "authentication required"), false)
        case .forbidden: (APIError(.forbidden, "not allowed"), false)
        case .unsupportedMediaType: (APIError(.unsupportedMedia, "unsupported content type"), false)
        case .serviceUnavailable: (APIError(.unavailable, "unavailable, retry later", retryAfter: dependencyRetryAfter), false)
        case let status where status.kind == .clientError: (APIError(.badRequest, "bad request"), false)
        default: (internalError, true)
        }
    }
}

extension APIError {
    /// A text field breaking `TextRules`: 400 `validation_failed` naming it.
    init(_ violation: TextRules.Violation) {
        self.init(.validationFailed, violation.message, field: violation.field)
    }
}
