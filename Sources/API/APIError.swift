/// The one error type of the API module: what a client (or an operator starting the service) is told.
///
/// Errors of the lower modules are mapped to it in `ErrorMapping`; only `code` and `message` ever reach a response.
public struct APIError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case invalidConfiguration = "invalid_configuration"
            case badRequest = "bad_request"
            case validationFailed = "validation_failed"
            case unauthorized = "unauthorized"
            case forbidden = "forbidden"
            case notFound = "not_found"
            case methodNotAllowed = "method_not_allowed"
            case conflict = "conflict"
            case usernameTaken = "username_taken"
            case cannotFollowSelf = "cannot_follow_self"
            case payloadTooLarge = "payload_too_large"
            case unsupportedMedia = "unsupported_media"
            case unprocessable = "unprocessable"
            case overloaded = "overloaded"
            case rateLimited = "rate_limited"
            case clientClosedRequest = "client_closed_request"
            case emptyFile = "empty_file"
            case unsupportedFormat = "unsupported_format"
            case corruptImage = "corrupt_image"
            case tooManyPixels = "too_many_pixels"
            case unavailable = "unavailable"
            case rangeNotSatisfiable = "range_not_satisfiable"
            case internalError = "internal_error"
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A `DARKROOM_*` variable is missing or malformed; start-up stops.
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// The request could not be read (malformed JSON, a missing body).
        public static let badRequest = Code(.badRequest)
        /// A field broke its rule; `field` names it.
        public static let validationFailed = Code(.validationFailed)
        /// No, unknown or expired credentials. Wrong password and unknown user look the same.
        public static let unauthorized = Code(.unauthorized)
        /// Authenticated, but not allowed to touch this resource (another user's media).
        public static let forbidden = Code(.forbidden)
        public static let notFound = Code(.notFound)
        public static let methodNotAllowed = Code(.methodNotAllowed)
        public static let conflict = Code(.conflict)
        public static let usernameTaken = Code(.usernameTaken)
        /// `POST /v1/users/{id}/follow` naming the caller.
        public static let cannotFollowSelf = Code(.cannotFollowSelf)
        /// The body exceeds its limit (bytes or pixels before decoding).
        public static let payloadTooLarge = Code(.payloadTooLarge)
        /// Not an image format the service accepts.
        public static let unsupportedMedia = Code(.unsupportedMedia)
        /// Well-formed but cannot be processed (a corrupt or truncated image).
        public static let unprocessable = Code(.unprocessable)
        /// The upload has no bytes.
        public static let emptyFile = Code(.emptyFile)
        /// The bytes are not JPEG, PNG, WebP, HEIF/AVIF or GIF (whatever the file name or Content-Type says).
        public static let unsupportedFormat = Code(.unsupportedFormat)
        /// An accepted format that cannot be decoded: truncated, corrupt, or an unsupported variant.
        public static let corruptImage = Code(.corruptImage)
        /// The header declares more pixels (or a longer side) than allowed; refused before decoding.
        public static let tooManyPixels = Code(.tooManyPixels)
        /// The server is at capacity (megapixel budget): retry after `Retry-After`.
        public static let overloaded = Code(.overloaded)
        /// Too many requests of this kind from this account, user or address: retry after `Retry-After`.
        public static let rateLimited = Code(.rateLimited)
        /// The client went away before the answer (nginx's 499): logged and counted, never sent.
        public static let clientClosedRequest = Code(.clientClosedRequest)
        /// A dependency (a shard, Redis, the object store) cannot serve the request now.
        public static let unavailable = Code(.unavailable)
        /// A `Range` that selects no byte of the representation (416, with `Content-Range: bytes */size`).
        public static let rangeNotSatisfiable = Code(.rangeNotSatisfiable)
        public static let internalError = Code(.internalError)

        public var description: String { base.rawValue }
    }

    public var code: Code
    /// Safe to show to the caller: names a variable or a field, never internal detail.
    public var message: String
    /// The request field at fault, for `validation_failed`.
    public var field: String?
    /// Seconds a client should wait before retrying (`Retry-After`), for `unavailable`, `overloaded` and `rate_limited`.
    public var retryAfter: Int?
    /// More response headers (`RateLimit-Policy`, `RateLimit` on a 429).
    public var headers: [(name: String, value: String)]
    /// The answer ends the connection (`Connection: close`): the rest of the request was not read, or cannot be.
    /// Always so for `payload_too_large`, whose body is left unread rather than received and thrown away.
    public var closesConnection: Bool

    public init(
        _ code: Code, _ message: String, field: String? = nil, retryAfter: Int? = nil, headers: [(name: String, value: String)] = [],
        closesConnection: Bool = false
    ) {
        self.code = code
        self.message = message
        self.field = field
        self.retryAfter = retryAfter
        self.headers = headers
        self.closesConnection = closesConnection || code == .payloadTooLarge
    }

    public var description: String { "\(code): \(message)" }
}
