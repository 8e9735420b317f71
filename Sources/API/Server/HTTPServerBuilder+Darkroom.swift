import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import Runtime

extension HTTPServerBuilder {
    /// HTTP/1.1 with the connection limits of `DarkroomConfiguration.HTTP`: the header-read timeout, Hummingbird's
    /// idle timeout, the cap on open connections, and closing after `Connection: close`.
    static func darkroom(_ http: DarkroomConfiguration.HTTP, logger: Logger) -> HTTPServerBuilder {
        let limiter = ConnectionLimiter(maximum: http.maxConnections)
        let headerTimeout = TimeAmount(http.headerTimeout)
        return .http1(configuration: .init(
            // Evaluated once per connection. Writes travel right to left, so ConnectionCloseHandler, first, also sees
            // the refusal ConnectionLimitHandler writes.
            additionalChannelHandlers: [
                ConnectionCloseHandler(),
                ConnectionLimitHandler(limiter: limiter, logger: logger),
                HeaderReadTimeoutHandler(timeout: headerTimeout, logger: logger),
            ],
            idleTimeout: TimeAmount(http.idleTimeout)
        ))
    }
}
