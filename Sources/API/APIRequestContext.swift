import Hummingbird
import Logging
import NIOCore

/// The request context of every route.
public struct APIRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `SessionAuthenticator` on routes that require a session; `nil` elsewhere.
    public var authenticatedUser: AuthenticatedUser?
    /// The TCP peer's IP address (a proxy's, behind one); `nil` when there is no socket (router tests).
    public var peerAddress: String?
    /// The request's connection, to notice the client going away (uploads).
    public var channel: (any Channel)?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.authenticatedUser = nil
        self.peerAddress = source.channel.remoteAddress?.ipAddress
        self.channel = source.channel
    }
}
