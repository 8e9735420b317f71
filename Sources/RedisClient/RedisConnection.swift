import CHiredis
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One blocking hiredis connection. Every method blocks the calling thread: call them only from
/// `NIOThreadPool.singleton`, and from one thread at a time (hiredis: "a redisContext is not thread-safe").
///
/// The context is created lazily and thrown away after any failure, because hiredis documents that
/// "once an error is returned the context cannot be reused". The next call connects afresh (AUTH,
/// SELECT). Failed commands are not retried here: the server may already have executed them.
///
/// Blocking commands (``RedisCommand/serverBlockTime``): rather than forcing every `BLOCK` to stay
/// below the command timeout, the socket read timeout is raised to block time + command timeout for
/// that one call and restored afterwards. The server's own BLOCK therefore always ends first (a null
/// reply = nothing new) and a socket timeout still means the server stopped answering.
final class RedisConnection {
    private let configuration: RedisConfiguration
    private let logger: Logger
    private var context: UnsafeMutablePointer<redisContext>?

    init(configuration: RedisConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    deinit {
        // Normally close() already ran on the thread pool; this only catches a connection dropped without it.
        if let context { redisFree(context) }
    }

    var isConnected: Bool { context != nil }

    /// Frees the context; the next call reconnects.
    func close() {
        if let context {
            redisFree(context)
            self.context = nil
        }
    }

    func send(_ command: RedisCommand) throws(RedisError) -> RedisReply {
        try pipeline([command])[0]
    }

    /// Sends all commands in one write, then reads one reply per command: one round trip.
    /// Error replies are returned as `.error` values; only connection-level failures throw.
    func pipeline(_ commands: [RedisCommand]) throws(RedisError) -> [RedisReply] {
        guard !commands.isEmpty else { return [] }
        let context = try connectedContext()
        let blockTime = commands.compactMap(\.serverBlockTime).max()
        if let blockTime {
            try setTimeout(context, configuration.commandTimeout + blockTime)
        }
        for command in commands {
            let status = Self.withArgv(command.arguments) { argc, argv, lengths in
                redisAppendCommandArgv(context, argc, argv, lengths)
            }
            guard status == REDIS_OK else { throw fail(context, "append \(command.name)") }
        }
        var replies: [RedisReply] = []
        replies.reserveCapacity(commands.count)
        for command in commands {
            var raw: UnsafeMutableRawPointer?
            guard redisGetReply(context, &raw) == REDIS_OK, let raw else {
                throw fail(context, "reply to \(command.name)")
            }
            let reply = raw.assumingMemoryBound(to: redisReply.self)
            defer { freeReplyObject(raw) }
            replies.append(Self.decode(reply))
        }
        if blockTime != nil {
            try setTimeout(context, configuration.commandTimeout)
        }
        return replies
    }

    // MARK: - Connecting

    private func connectedContext() throws(RedisError) -> UnsafeMutablePointer<redisContext> {
        if let context {
            if chiredis_is_stale(context) == 0 { return context }
            // The server closed this socket while it sat in the pool (restart, idle timeout): a fresh
            // connection is safe here because nothing has been sent on it yet.
            logger.debug("redis connection went stale while idle; reconnecting", metadata: ["redis.host": "\(configuration.host)"])
            close()
        }
        let context = try connect()
        self.context = context
        return context
    }

    private func connect() throws(RedisError) -> UnsafeMutablePointer<redisContext> {
        let timeout = chiredis_timeval_ms(configuration.connectTimeout.redisMilliseconds)
        guard let context = redisConnectWithTimeout(configuration.host, Int32(configuration.port), timeout) else {
            throw RedisError(.unavailable, "could not allocate a hiredis context")
        }
        if chiredis_err(context) != 0 {
            let message = String(cString: chiredis_errstr(context))
            redisFree(context)
            throw RedisError(.unavailable, "connect to Redis \(configuration.host):\(configuration.port) failed: \(message)")
        }
        do {
            try setTimeout(context, configuration.commandTimeout)
            _ = redisEnableKeepAlive(context)
            try handshake(context)
        } catch {
            redisFree(context)
            throw error
        }
        logger.debug("redis connected", metadata: ["redis.host": "\(configuration.host)", "redis.port": "\(configuration.port)"])
        return context
    }

    private func handshake(_ context: UnsafeMutablePointer<redisContext>) throws(RedisError) {
        if let password = configuration.password {
            let auth = configuration.username.map { RedisCommand("AUTH", $0, password) } ?? RedisCommand("AUTH", password)
            let reply = try rawCommand(context, auth)
            if let message = reply.errorMessage {
                // Any refusal of AUTH is a credentials problem, including "AUTH called without any password configured".
                throw RedisError(.accessDenied, "Redis refused AUTH: \(message)", serverCode: reply.errorPrefix)
            }
        }
        if configuration.database != 0 {
            try rawCommand(context, RedisCommand("SELECT", configuration.database)).throwingError()
        }
    }

    /// One command on a context that is not yet published in `self.context` (handshake only).
    private func rawCommand(_ context: UnsafeMutablePointer<redisContext>, _ command: RedisCommand) throws(RedisError) -> RedisReply {
        let raw = Self.withArgv(command.arguments) { argc, argv, lengths in
            redisCommandArgv(context, argc, argv, lengths)
        }
        guard let raw else { throw Self.error(context, "\(command.name) during connect") }
        defer { freeReplyObject(raw) }
        return Self.decode(raw.assumingMemoryBound(to: redisReply.self))
    }

    private func setTimeout(_ context: UnsafeMutablePointer<redisContext>, _ timeout: Duration) throws(RedisError) {
        guard redisSetTimeout(context, chiredis_timeval_ms(timeout.redisMilliseconds)) == REDIS_OK else {
            throw fail(context, "set socket timeout")
        }
    }

    // MARK: - Errors

    /// Classifies the context's error and drops the context, which hiredis says is now unusable.
    private func fail(_ context: UnsafeMutablePointer<redisContext>, _ action: @autoclosure () -> String) -> RedisError {
        let error = Self.error(context, action())
        if self.context == context {
            close()
        } else {
            redisFree(context)
        }
        logger.debug("redis connection dropped", metadata: ["redis.error": "\(error.debugDescription)"])
        return error
    }

    /// Must run right after the failing hiredis call: it reads `errno` for the timeout case.
    private static func error(_ context: UnsafeMutablePointer<redisContext>, _ action: @autoclosure () -> String) -> RedisError {
        let savedErrno = errno
        let message = "\(action()): \(String(cString: chiredis_errstr(context)))"
        switch chiredis_err(context) {
        case REDIS_ERR_IO where savedErrno == EAGAIN || savedErrno == EWOULDBLOCK || savedErrno == ETIMEDOUT:
            // SO_RCVTIMEO/SO_SNDTIMEO expiry surfaces as a failed read/write with EAGAIN.
            return RedisError(.timeout, "Redis did not answer in time (\(message))")
        case REDIS_ERR_PROTOCOL:
            return RedisError(.protocolError, "Redis protocol error (\(message))")
        case REDIS_ERR_EOF:
            return RedisError(.unavailable, "Redis closed the connection (\(message))")
        default:
            return RedisError(.unavailable, "Redis I/O failed (\(message))")
        }
    }

    // MARK: - C bridging

    /// Lays all arguments out in one buffer and calls `body` with hiredis's argc/argv/argvlen.
    private static func withArgv<R>(
        _ arguments: [[UInt8]],
        _ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>, UnsafePointer<Int>) -> R
    ) -> R {
        var storage: [UInt8] = []
        storage.reserveCapacity(arguments.reduce(1) { $0 + $1.count })
        var offsets: [Int] = []
        var lengths: [Int] = []
        for argument in arguments {
            offsets.append(storage.count)
            lengths.append(argument.count)
            storage.append(contentsOf: argument)
        }
        // A trailing byte keeps the buffer non-empty, so even an all-empty argument list has a valid base address.
        storage.append(0)
        return storage.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { base in
                var argv: [UnsafePointer<CChar>?] = offsets.map { base + $0 }
                return argv.withUnsafeMutableBufferPointer { argvBuffer in
                    lengths.withUnsafeBufferPointer { lengthBuffer in
                        body(Int32(arguments.count), argvBuffer.baseAddress!, lengthBuffer.baseAddress!)
                    }
                }
            }
        }
    }

    /// Parses raw RESP with hiredis's own reader, exactly as replies from a socket are parsed; lets tests
    /// check the C-to-Swift decoding without a server.
    static func decode(resp: [UInt8]) throws(RedisError) -> [RedisReply] {
        guard let reader = redisReaderCreate() else { throw RedisError(.unavailable, "could not allocate a hiredis reader") }
        defer { redisReaderFree(reader) }
        let fed = resp.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { redisReaderFeed(reader, $0.baseAddress, buffer.count) }
        }
        guard fed == REDIS_OK else { throw RedisError(.protocolError, "hiredis reader refused input") }
        var replies: [RedisReply] = []
        while true {
            var raw: UnsafeMutableRawPointer?
            guard redisReaderGetReply(reader, &raw) == REDIS_OK else {
                throw RedisError(.protocolError, "hiredis reader: protocol error")
            }
            guard let raw else { return replies }
            replies.append(decode(raw.assumingMemoryBound(to: redisReply.self)))
            freeReplyObject(raw)
        }
    }

    /// Copies a hiredis reply tree into Swift values.
    static func decode(_ reply: UnsafePointer<redisReply>) -> RedisReply {
        let node = reply.pointee
        switch node.type {
        case REDIS_REPLY_STATUS:
            return .status(string(node))
        case REDIS_REPLY_ERROR:
            return .error(string(node))
        case REDIS_REPLY_INTEGER:
            return .integer(Int64(node.integer))
        case REDIS_REPLY_STRING:
            guard let str = node.str else { return .bulk([]) }
            return .bulk(Array(UnsafeRawBufferPointer(start: str, count: Int(node.len))))
        case REDIS_REPLY_ARRAY:
            guard let element = node.element else { return .array([]) }
            return .array((0..<Int(node.elements)).map { index in
                guard let child = element[index] else { return .bulk(nil) }
                return decode(child)
            })
        default:
            return .bulk(nil)
        }
    }

    private static func string(_ node: redisReply) -> String {
        guard let str = node.str else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: str, count: Int(node.len)), as: UTF8.self)
    }
}
