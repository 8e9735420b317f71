/// The one error type of the API module: what a client (or an operator starting the service) is told.
///
/// Errors of the lower modules are mapped to it in `ErrorMapping`; only `code` and `message` ever reach a response.
public struct APIError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case invalidConfiguration = "invalid_configuration"
            case badRequest = "bad_request"
            case notFound = "not_found"
            case unavailable = "unavailable"
            case internalError = "internal_error"
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A `DARKROOM_*` variable is missing or malformed; start-up stops.
        public static let invalidConfiguration = Code(.invalidConfiguration)
        public static let badRequest = Code(.badRequest)
        public static let notFound = Code(.notFound)
        /// A dependency (a shard, Redis, the object store) cannot serve the request now.
        public static let unavailable = Code(.unavailable)
        public static let internalError = Code(.internalError)

        public var description: String { base.rawValue }
    }

    public var code: Code
    /// Safe to show to the caller: names a variable or a field, never internal detail.
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
