import NIOCore
import Synchronization

/// Runs an operation that the client's disconnect cancels: FIN (input closed) or reset on the request's connection
/// cancels it at once, so it stops waiting (budget, S3) and gives back what it holds.
///
/// It watches the channel's events with a handler at the head of the pipeline instead of reading the connection
/// (Hummingbird's `consumeWithCancellationOnInboundClose` reads ahead and so closes the connection after every
/// response): keep-alive and the next request on the connection are untouched.
enum ClientDisconnect {
    private enum Outcome<Value: Sendable>: Sendable {
        case value(Value)
        case disconnected
        case watcherDone
    }

    /// `operation`'s value; `CancellationError` when the client went away first. Without a channel (unit tests
    /// driving the router) it simply runs `operation`.
    static func cancelling<Value: Sendable>(
        on channel: (any Channel)?, _ operation: @escaping @Sendable () async throws -> Value
    ) async throws -> Value {
        guard let channel else { return try await operation() }
        let (closed, signal) = AsyncStream<Void>.makeStream()
        let watcher = InboundCloseWatcher { signal.finish() }
        do {
            try await channel.pipeline.addHandler(watcher, position: .first).get()
        } catch {
            // The channel is already gone: so is the client.
            throw CancellationError()
        }
        defer { channel.pipeline.removeHandler(watcher, promise: nil) }
        return try await withThrowingTaskGroup(of: Outcome<Value>.self) { group in
            group.addTask {
                for await _ in closed {}
                return watcher.hasFired ? .disconnected : .watcherDone
            }
            group.addTask {
                defer { signal.finish() }
                return .value(try await operation())
            }
            while let outcome = try await group.next() {
                switch outcome {
                case .value(let value):
                    return value
                case .disconnected:
                    group.cancelAll()
                    throw CancellationError()
                case .watcherDone:
                    continue
                }
            }
            throw CancellationError()
        }
    }
}

/// Sees the client's side of the connection close: `inputClosed` (FIN, with remote half-closure allowed, as
/// Hummingbird sets it) or the channel going inactive. Passes every event on unchanged.
final class InboundCloseWatcher: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    typealias InboundIn = ByteBuffer

    private let fired = Atomic<Bool>(false)
    private let onClose: @Sendable () -> Void

    init(onClose: @escaping @Sendable () -> Void) {
        self.onClose = onClose
    }

    var hasFired: Bool { fired.load(ordering: .acquiring) }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, case .inputClosed = event { fire() }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        fire()
        context.fireChannelInactive()
    }

    private func fire() {
        if !fired.exchange(true, ordering: .acquiringAndReleasing) { onClose() }
    }
}
