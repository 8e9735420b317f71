/// A value that can be one argument of a Redis command. Arguments are bytes: values are binary-safe.
public protocol RedisArgument: Sendable {
    var redisArgument: [UInt8] { get }
}

extension String: RedisArgument {
    public var redisArgument: [UInt8] { Array(utf8) }
}

extension Substring: RedisArgument {
    public var redisArgument: [UInt8] { Array(utf8) }
}

extension Array: RedisArgument where Element == UInt8 {
    public var redisArgument: [UInt8] { self }
}

extension Int: RedisArgument {
    public var redisArgument: [UInt8] { Array(String(self).utf8) }
}

extension Int64: RedisArgument {
    public var redisArgument: [UInt8] { Array(String(self).utf8) }
}

extension UInt64: RedisArgument {
    public var redisArgument: [UInt8] { Array(String(self).utf8) }
}

extension Double: RedisArgument {
    /// Redis parses with strtod and spells infinities `+inf`/`-inf`; Swift's `description` is
    /// locale-independent and round-trips, so scores survive unchanged.
    public var redisArgument: [UInt8] {
        if self == .infinity { return Array("+inf".utf8) }
        if self == -.infinity { return Array("-inf".utf8) }
        return Array(description.utf8)
    }
}

/// One Redis command as its argument vector (the name is argument 0), sent with `redisCommandArgv` /
/// `redisAppendCommandArgv` and explicit lengths, so keys and values may hold any bytes.
public struct RedisCommand: Sendable, Hashable {
    public var arguments: [[UInt8]]

    /// How long the server may legitimately hold the reply (the `BLOCK` of XREADGROUP).
    ///
    /// The connection widens its socket read timeout by this much for this one call, so a blocking
    /// read never trips the command timeout; see ``RedisConnection``.
    public var serverBlockTime: Duration?

    public init(_ name: String, _ arguments: any RedisArgument...) {
        self.init(name, arguments)
    }

    public init(_ name: String, _ arguments: [any RedisArgument]) {
        self.arguments = [Array(name.utf8)] + arguments.map(\.redisArgument)
        self.serverBlockTime = nil
    }

    public var name: String {
        String(decoding: arguments.first ?? [], as: UTF8.self).uppercased()
    }

    /// Appends arguments, for commands built up from optional parts.
    public mutating func append(_ arguments: any RedisArgument...) {
        self.arguments.append(contentsOf: arguments.map(\.redisArgument))
    }

    public mutating func append(contentsOf arguments: [any RedisArgument]) {
        self.arguments.append(contentsOf: arguments.map(\.redisArgument))
    }

    /// The command in RESP as hiredis puts it on the wire (`*N\r\n$len\r\narg\r\n...`); for tests and debugging.
    public var resp: [UInt8] {
        var out = Array("*\(arguments.count)\r\n".utf8)
        for argument in arguments {
            out += Array("$\(argument.count)\r\n".utf8)
            out += argument
            out += [13, 10]
        }
        return out
    }
}

extension Duration {
    /// Whole milliseconds, rounded up so a short positive timeout never becomes 0 (which means "forever" to Redis).
    var redisMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        let millis = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        let remainder = attoseconds % 1_000_000_000_000_000
        return remainder > 0 ? millis + 1 : millis
    }
}
