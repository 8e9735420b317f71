import Logging
import NIOCore
import NIOHTTPTypes

/// Closes a connection whose request head does not arrive in full within `timeout`: counted from the accept for
/// the first request, and from the first bytes of each later one. Slowloris clients trickle header bytes to hold a
/// connection (and its file descriptor) forever; Hummingbird's idle timeout restarts on every decoded part but sees
/// nothing of a head that is still arriving.
///
/// It sits after the HTTP decoder, so it sees decoded parts; `channelReadComplete` still reaches it after every
/// socket read, parts or not, which is how it learns that a later request has begun.
final class HeaderReadTimeoutHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let timeout: TimeAmount
    private let logger: Logger
    private var timer: Scheduled<Void>?
    /// Requests whose head was read and whose response has not ended (more than one when a client pipelines).
    private var unanswered = 0
    /// The last request's body was read to its end.
    private var bodyEnded = true
    /// A read that ends a body carries no new request, unless the client sent both at once; the idle timeout
    /// covers that rare case.
    private var endedBodyInThisRead = false

    init(timeout: TimeAmount, logger: Logger) {
        self.timeout = timeout
        self.logger = logger
    }

    private var betweenRequests: Bool { unanswered == 0 && bodyEnded }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { startTimer(context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelTimer()
    }

    func channelActive(context: ChannelHandlerContext) {
        startTimer(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelTimer()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            cancelTimer()
            unanswered += 1
            bodyEnded = false
        case .body:
            break
        case .end:
            bodyEnded = true
            endedBodyInThisRead = true
        }
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if betweenRequests, !endedBodyInThisRead { startTimer(context) }
        endedBodyInThisRead = false
        context.fireChannelReadComplete()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { unanswered = max(0, unanswered - 1) }
        context.write(data, promise: promise)
    }

    private func startTimer(_ context: ChannelHandlerContext) {
        guard timer == nil else { return }
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
            self.timer = nil
            self.logger.debug("request head not received in time, closing the connection")
            context.close(promise: nil)
        }
    }

    private func cancelTimer() {
        timer?.cancel()
        timer = nil
    }
}
