import HummingbirdAuth
import Hummingbird
import Logging
import Storage

/// Requires `Authorization: Bearer <token>`: loads the session (pushing its expiry back) and puts the user into the
/// context. Missing, malformed, unknown and expired tokens all get the same 401.
public struct SessionAuthenticator: RouterMiddleware {
    public typealias Context = APIRequestContext
    public let services: AccountServices

    public init(services: AccountServices) {
        self.services = services
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let bearer = request.headers.bearer, let token = SessionToken(bearer.token),
              let userID = try await services.sessions.resolve(token, ttl: services.sessionTTL, logger: context.logger)
        else {
            throw Self.unauthorized
        }
        var context = context
        context.authenticatedUser = AuthenticatedUser(id: userID, token: token)
        context.logger[metadataKey: "user.id"] = "\(userID)"
        return try await next(request, context)
    }

    static let unauthorized = APIError(.unauthorized, "a valid session token is required")
}
