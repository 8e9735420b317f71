import Hummingbird
import Logging

/// The request context of every route.
public struct APIRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `SessionAuthenticator` on routes that require a session; `nil` elsewhere.
    public var authenticatedUser: AuthenticatedUser?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.authenticatedUser = nil
    }
}
