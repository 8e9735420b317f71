import HummingbirdAuth
import Hummingbird
import Logging
import Storage

/// Reads `Authorization: Bearer <token>`: loads the session (pushing its expiry back) and puts the user into the
/// context. Missing, malformed, unknown and expired tokens all get the same 401.
///
/// With `required: false` (public reads that show the owner more) a request without the header goes on anonymous; a
/// token that is sent must still be valid (401 otherwise), and when the session store cannot answer the request goes
/// on anonymous too: the public view is always safe to show.
public struct SessionAuthenticator: RouterMiddleware {
    public typealias Context = APIRequestContext
    public let services: AccountServices
    public let required: Bool

    public init(services: AccountServices, required: Bool = true) {
        self.services = services
        self.required = required
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if !required, request.headers[.authorization] == nil {
            return try await next(request, context)
        }
        guard let bearer = request.headers.bearer, let token = SessionToken(bearer.token) else { throw Self.unauthorized }
        let resolved: ShardedID?
        do {
            resolved = try await services.sessions.resolve(token, ttl: services.sessionTTL, logger: context.logger)
        } catch where !required {
            context.logger.warning("session lookup failed; answering as anonymous", metadata: ["error": "\(String(reflecting: error))"])
            return try await next(request, context)
        }
        guard let userID = resolved else { throw Self.unauthorized }
        var context = context
        context.authenticatedUser = AuthenticatedUser(id: userID, token: token)
        context.logger[metadataKey: "user.id"] = "\(userID)"
        return try await next(request, context)
    }

    static let unauthorized = APIError(.unauthorized, "a valid session token is required")
}
