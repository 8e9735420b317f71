/// The one error type of the Storage module (object store, sharded Postgres, Redis).
///
/// `code` is stable and safe to show; `description` never carries server detail (keys, SQL, hosts),
/// `debugDescription` does, for logs.
public struct StorageError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case notFound = "not_found"
            case alreadyExists = "already_exists"
            case accessDenied = "access_denied"
            case unavailable = "unavailable"
            case timeout = "timeout"
            case invalidRange = "invalid_range"
            case rejected = "rejected"
            case protocolError = "protocol_error"
            case commandFailed = "command_failed"
            case queryFailed = "query_failed"
            case conflict = "conflict"
            case migrationFailed = "migration_failed"
            case invalidArgument = "invalid_argument"
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The object, row or key does not exist (S3 404 NoSuchKey).
        public static let notFound = Code(.notFound)
        /// A create-only write found the key taken (S3 412 on `If-None-Match: *`).
        public static let alreadyExists = Code(.alreadyExists)
        /// Credentials or signature refused (S3 403, Redis NOAUTH/WRONGPASS). Never retried.
        public static let accessDenied = Code(.accessDenied)
        /// The server cannot be reached or keeps failing (connection refused, 5xx after retries).
        public static let unavailable = Code(.unavailable)
        /// No answer within the deadline.
        public static let timeout = Code(.timeout)
        /// S3 416: the requested range lies outside the object.
        public static let invalidRange = Code(.invalidRange)
        /// Any other client error the server answered with (S3 4xx); not retried.
        public static let rejected = Code(.rejected)
        /// The server's answer could not be understood.
        public static let protocolError = Code(.protocolError)
        /// Redis answered a command with an error reply (WRONGTYPE, BUSYGROUP, ...).
        public static let commandFailed = Code(.commandFailed)
        /// PostgreSQL refused a statement.
        public static let queryFailed = Code(.queryFailed)
        /// A concurrent writer won (S3 409, Postgres unique violation).
        public static let conflict = Code(.conflict)
        /// `darkroom migrate` could not bring a server to the latest version.
        public static let migrationFailed = Code(.migrationFailed)
        /// The caller passed something the store cannot accept (an empty key, a bad shard number).
        public static let invalidArgument = Code(.invalidArgument)

        public var description: String { base.rawValue }
    }

    public var code: Code
    /// Internal detail for logs; never sent to a client.
    public var message: String
    /// The S3 error code (`NoSuchKey`, `SignatureDoesNotMatch`, ...) or Redis error prefix, when the server gave one.
    public var serverCode: String?
    /// HTTP status of the S3 answer, when there was one.
    public var httpStatus: Int?
    public var underlying: (any Error)?

    public init(_ code: Code, _ message: String, serverCode: String? = nil, httpStatus: Int? = nil, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.serverCode = serverCode
        self.httpStatus = httpStatus
        self.underlying = underlying
    }

    public var description: String { "StorageError(\(code))" }

    public var debugDescription: String {
        var parts = ["StorageError(\(code)): \(message)"]
        if let serverCode { parts.append("server code \(serverCode)") }
        if let httpStatus { parts.append("HTTP \(httpStatus)") }
        if let underlying { parts.append("underlying: \(String(reflecting: underlying))") }
        return parts.joined(separator: "; ")
    }
}
