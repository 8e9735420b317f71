/// The one error type of the S3 client.
///
/// `code` is stable; `description` never carries server detail (keys, hosts), `debugDescription` does, for logs.
public struct S3Error: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public enum Code: String, Sendable, CustomStringConvertible {
        /// 404 NoSuchKey (or NoSuchBucket).
        case notFound = "not_found"
        /// A create-only write found the key taken (412 on `If-None-Match: *`).
        case alreadyExists = "already_exists"
        /// Credentials or signature refused (403). Never retried.
        case accessDenied = "access_denied"
        /// The server cannot be reached or keeps failing (connection refused, 5xx after retries).
        case unavailable
        /// No answer within the deadline.
        case timeout
        /// 416: the requested range lies outside the object.
        case invalidRange = "invalid_range"
        /// Any other client error the server answered with (4xx); not retried.
        case rejected
        /// The server's answer could not be understood.
        case protocolError = "protocol_error"
        /// A concurrent writer won (409).
        case conflict
        /// The caller passed something S3 cannot accept (a bad key, range or expiry); nothing was sent.
        case invalidArgument = "invalid_argument"

        public var description: String { rawValue }
    }

    public var code: Code
    /// Internal detail for logs; never sent to a client.
    public var message: String
    /// The S3 error code (`NoSuchKey`, `SignatureDoesNotMatch`, ...), when the server gave one.
    public var serverCode: String?
    /// HTTP status of the answer, when there was one.
    public var httpStatus: Int?
    public var underlying: (any Error)?

    public init(_ code: Code, _ message: String, serverCode: String? = nil, httpStatus: Int? = nil, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.serverCode = serverCode
        self.httpStatus = httpStatus
        self.underlying = underlying
    }

    public var description: String { "S3Error(\(code))" }

    public var debugDescription: String {
        var parts = ["S3Error(\(code)): \(message)"]
        if let serverCode { parts.append("server code \(serverCode)") }
        if let httpStatus { parts.append("HTTP \(httpStatus)") }
        if let underlying { parts.append("underlying: \(String(reflecting: underlying))") }
        return parts.joined(separator: "; ")
    }
}
