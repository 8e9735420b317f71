/// The rate limits the service applies (`DARKROOM_RATE_*`); the API decides which request spends from which.
public enum RateLimitKind: String, Sendable, CaseIterable {
    case loginAccount = "login-account"
    case loginIP = "login-ip"
    case signupIP = "signup-ip"
    case upload
    case comment
    case like
    case follow

    /// When Redis cannot be asked: refuse (logins: they need Redis for the session anyway, and an unlimited login
    /// would be unlimited bcrypt) rather than allow (the rest, which work without Redis).
    public var failsClosed: Bool { self == .loginAccount || self == .loginIP }
}
