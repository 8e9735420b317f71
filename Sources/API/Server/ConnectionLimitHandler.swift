import HTTPTypes
import Logging
import NIOCore
import NIOHTTPTypes

/// Holds one of the server's `DARKROOM_HTTP_MAX_CONNECTIONS` places for the life of its connection. A connection
/// beyond the cap is answered at once with 503 `overloaded` and closed, without reading its request: a flood of
/// idle or slow connections then costs the server a bounded number of file descriptors, and a client that finds the
/// server full learns so at once instead of waiting in the accept queue.
final class ConnectionLimitHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    static let refusal = APIError(.overloaded, "the server has too many open connections, retry shortly", retryAfter: 1, closesConnection: true)

    private let limiter: ConnectionLimiter
    private let logger: Logger
    private var refused = false

    init(limiter: ConnectionLimiter, logger: Logger) {
        self.limiter = limiter
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        guard limiter.acquire() else {
            refused = true
            return
        }
        context.channel.closeFuture.whenComplete { [limiter] _ in limiter.release() }
    }

    func channelActive(context: ChannelHandlerContext) {
        context.fireChannelActive()
        guard refused else { return }
        logger.debug("connection refused: \(limiter.maximum) open already")
        let error = Self.refusal
        var headers = ErrorResponse.headers(for: error)
        SecurityHeaders.apply(to: &headers)
        let body = ErrorResponse.body(for: error)
        headers[.contentLength] = String(body.readableBytes)
        context.write(wrapOutboundOut(.head(HTTPResponse(status: ErrorMapping.status(of: error.code), headerFields: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        // ConnectionCloseHandler, closer to the socket, closes once this has left.
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // A refused connection's request is never handled.
        if !refused { context.fireChannelRead(data) }
    }
}
