import Storage

/// Who made the request: set by `SessionAuthenticator`.
public struct AuthenticatedUser: Sendable, Hashable {
    public var id: ShardedID
    /// The session's token, so `DELETE /v1/sessions` can end exactly this session.
    public var token: SessionToken

    public init(id: ShardedID, token: SessionToken) {
        self.id = id
        self.token = token
    }
}

extension APIRequestContext {
    /// The authenticated user; throws `unauthorized` on a route that forgot `SessionAuthenticator`, rather than
    /// serving it anonymously.
    public func requireUser() throws(APIError) -> AuthenticatedUser {
        guard let authenticatedUser else { throw APIError(.unauthorized, "a session token is required") }
        return authenticatedUser
    }
}
