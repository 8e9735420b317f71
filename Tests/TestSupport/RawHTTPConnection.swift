#if canImport(Glibc)
import Glibc
#endif
import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// A bare TCP connection to a server under test, for what an HTTP client will not send: partial heads, broken
/// chunked framing, nothing at all.
public struct RawHTTPConnection {
    private let channel: any Channel
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private var inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private var received = ByteBuffer()

    /// Connects to 127.0.0.1:`port`, runs `body`, closes.
    public static func with<T: Sendable>(port: Int, _ body: (inout RawHTTPConnection) async throws -> T) async throws -> T {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var connection = RawHTTPConnection(channel: channel.channel, outbound: outbound, inbound: inbound.makeAsyncIterator())
            return try await body(&connection)
        }
    }

    /// Connects, sends `text` (if any), and returns what the server sends until it closes the connection.
    public static func exchange(port: Int, sending text: String = "") async throws -> String {
        try await with(port: port) { connection in
            if !text.isEmpty { try await connection.send(text) }
            return try await connection.readUntilClosed()
        }
    }

    public func send(_ text: String) async throws {
        try await outbound.write(ByteBuffer(string: text))
    }

    public func send(_ bytes: [UInt8]) async throws {
        try await outbound.write(ByteBuffer(bytes: bytes))
    }

    /// Everything the server sends until it closes (or resets) the connection. Throws `StillOpen` if it is still
    /// open after `limit`: a bound on a broken server, not a measure of a working one.
    public mutating func readUntilClosed(limit: Duration = .seconds(30)) async throws -> String {
        let timedOut = Flag()
        let channel = self.channel
        let timer = channel.eventLoop.scheduleTask(in: TimeAmount(limit)) {
            timedOut.value.store(true, ordering: .relaxed)
            channel.close(promise: nil)
        }
        defer { timer.cancel() }
        do {
            while var chunk = try await inbound.next() { received.writeBuffer(&chunk) }
        } catch let error as IOError where error.errnoCode == ECONNRESET {
            // Closed with our request unread: a reset is a close too.
        } catch is ChannelError {
        }
        if timedOut.value.load(ordering: .relaxed) { throw StillOpen(received: String(buffer: received)) }
        return String(buffer: received)
    }

    /// One response (status line, headers, and a `Content-Length` body), leaving the connection open.
    public mutating func readResponse() async throws -> String {
        while true {
            let text = String(buffer: received)
            if let headEnd = text.range(of: "\r\n\r\n") {
                let head = text[..<headEnd.lowerBound].lowercased()
                let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst("content-length:".count).drop { $0 == " " }) } ?? 0
                let total = text.utf8.distance(from: text.startIndex, to: headEnd.upperBound) + length
                if received.readableBytes >= total {
                    let response = received.readString(length: total) ?? ""
                    received.discardReadBytes()
                    return response
                }
            }
            guard var chunk = try await inbound.next() else { throw StillOpen(received: "closed before a full response: \(text)") }
            received.writeBuffer(&chunk)
        }
    }

    private final class Flag: Sendable {
        let value = Atomic(false)
    }

    public struct StillOpen: Error, CustomStringConvertible {
        public var received: String
        public var description: String { "the connection did not end as expected; received: \(received.prefix(200))" }
    }
}
