/// The one error type of the Redis client.
///
/// `code` is stable; `description` never carries server detail (keys, hosts), `debugDescription` does, for logs.
public struct RedisError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public enum Code: String, Sendable, CustomStringConvertible {
        /// NOAUTH / WRONGPASS: credentials refused. Never retried.
        case accessDenied = "access_denied"
        /// The server answered the command with an error reply (WRONGTYPE, BUSYGROUP, NOGROUP, ...).
        case commandFailed = "command_failed"
        /// A transaction was aborted because a watched key changed.
        case conflict
        /// The caller passed something Redis cannot accept (an empty key, a bad count); nothing was sent.
        case invalidArgument = "invalid_argument"
        /// The server's answer could not be understood.
        case protocolError = "protocol_error"
        /// No answer within the deadline.
        case timeout
        /// The server cannot be reached, or the pool is shut down.
        case unavailable

        public var description: String { rawValue }
    }

    public var code: Code
    /// Internal detail for logs; never sent to a client.
    public var message: String
    /// The error reply's prefix (`WRONGTYPE`, `NOGROUP`, ...), when the server gave one.
    public var serverCode: String?

    public init(_ code: Code, _ message: String, serverCode: String? = nil) {
        self.code = code
        self.message = message
        self.serverCode = serverCode
    }

    public var description: String { "RedisError(\(code))" }

    public var debugDescription: String {
        "RedisError(\(code)): \(message)" + (serverCode.map { "; server code \($0)" } ?? "")
    }
}
