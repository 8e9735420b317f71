/// One RESP2 reply, decoded out of hiredis memory so it can outlive the `redisReply*` and cross threads.
///
/// hiredis 0.14 cannot tell a null bulk string (`$-1`) from a null array (`*-1`): both arrive as
/// `REDIS_REPLY_NIL`, which is decoded as `.bulk(nil)`. Use ``isNull`` rather than matching either case.
public enum RedisReply: Sendable, Hashable {
    case status(String)
    /// A server error reply (`-ERR ...`). Inside a pipeline or an EXEC array this is a value, not a failure.
    case error(String)
    case integer(Int64)
    case bulk([UInt8]?)
    case array([RedisReply]?)

    public var isNull: Bool {
        switch self {
        case .bulk(nil), .array(nil): true
        default: false
        }
    }

    /// The error text when this is an error reply.
    public var errorMessage: String? {
        if case .error(let message) = self { return message }
        return nil
    }

    /// The first word of an error reply (`ERR`, `WRONGTYPE`, `BUSYGROUP`, `NOAUTH`, ...).
    public var errorPrefix: String? {
        guard let message = errorMessage else { return nil }
        return message.split(separator: " ", maxSplits: 1).first.map(String.init) ?? message
    }
}

// MARK: - Decoding helpers

extension RedisReply {
    /// The reply as a `RedisError`, when it is an error reply; `nil` otherwise.
    ///
    /// NOAUTH and WRONGPASS become `.accessDenied` (never worth retrying), everything else `.commandFailed`.
    public var error: RedisError? {
        guard let message = errorMessage else { return nil }
        let prefix = errorPrefix ?? ""
        let code: RedisError.Code = (prefix == "NOAUTH" || prefix == "WRONGPASS") ? .accessDenied : .commandFailed
        return RedisError(code, "Redis error reply: \(message)", serverCode: prefix)
    }

    /// Throws the error reply as a `RedisError`; returns `self` for any other reply.
    @discardableResult
    public func throwingError() throws(RedisError) -> RedisReply {
        if let error = error { throw error }
        return self
    }

    /// Bytes of a bulk or status reply; `nil` for a null reply.
    public func bytes() throws(RedisError) -> [UInt8]? {
        switch try throwingError() {
        case .bulk(let bytes): return bytes
        case .status(let text): return Array(text.utf8)
        case .array(nil): return nil
        default: throw unexpected("bulk string")
        }
    }

    /// A bulk or status reply as UTF-8 text; `nil` for a null reply. Invalid UTF-8 is repaired, not rejected.
    public func string() throws(RedisError) -> String? {
        guard let bytes = try bytes() else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A reply that must be a non-null string.
    public func requiredString() throws(RedisError) -> String {
        guard let value = try string() else { throw unexpected("non-null string") }
        return value
    }

    public func int() throws(RedisError) -> Int64 {
        switch try throwingError() {
        case .integer(let value): return value
        // Some commands (XPENDING consumer counts, ZSCORE) send numbers as bulk strings.
        case .bulk(let bytes?):
            guard let value = Int64(String(decoding: bytes, as: UTF8.self)) else { throw unexpected("integer") }
            return value
        default: throw unexpected("integer")
        }
    }

    /// A floating-point number sent as a bulk string (scores, distances, coordinates); `nil` for a null reply.
    public func double() throws(RedisError) -> Double? {
        guard let text = try string() else { return nil }
        switch text {
        case "inf", "+inf": return .infinity
        case "-inf": return -.infinity
        default:
            guard let value = Double(text) else { throw unexpected("number") }
            return value
        }
    }

    /// Elements of an array reply; `nil` for a null reply.
    public func array() throws(RedisError) -> [RedisReply]? {
        switch try throwingError() {
        case .array(let elements): return elements
        case .bulk(nil): return nil
        default: throw unexpected("array")
        }
    }

    /// Elements of an array reply, treating a null reply as empty.
    public func elements() throws(RedisError) -> [RedisReply] {
        try array() ?? []
    }

    /// A `+OK` status reply, or fail.
    public func expectOK() throws(RedisError) {
        guard case .status("OK") = try throwingError() else { throw unexpected("+OK") }
    }

    func unexpected(_ expected: String) -> RedisError {
        RedisError(.protocolError, "expected \(expected) in Redis reply, got \(shortDescription)")
    }

    /// A bounded rendering for error messages: values may be large or binary.
    var shortDescription: String {
        switch self {
        case .status(let text): "status(\(text.prefix(64)))"
        case .error(let text): "error(\(text.prefix(64)))"
        case .integer(let value): "integer(\(value))"
        case .bulk(nil), .array(nil): "null"
        case .bulk(let bytes?): "bulk(\(bytes.count) bytes)"
        case .array(let elements?): "array(\(elements.count) elements)"
        }
    }
}

extension RedisReply: ExpressibleByStringLiteral {
    /// A bulk string; handy in tests that build replies by hand.
    public init(stringLiteral value: String) {
        self = .bulk(Array(value.utf8))
    }
}

extension RedisReply: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int64) {
        self = .integer(value)
    }
}

extension RedisReply: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: RedisReply...) {
        self = .array(elements)
    }
}
