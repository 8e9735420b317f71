import Foundation
import Logging

/// Login sessions. Only the token's SHA-256 is stored, so a leaked store does not leak usable tokens.
///
/// Errors are `StorageError`s (`.unavailable` / `.timeout` when Redis cannot answer).
public protocol SessionStore: Sendable {
    /// Stores a new session for `userID` that expires after `ttl` without use.
    func create(_ token: SessionToken, userID: ShardedID, ttl: Duration, logger: Logger) async throws
    /// The session's user, with the expiry pushed back to `ttl` from now (sliding); `nil` when unknown or expired.
    func resolve(_ token: SessionToken, ttl: Duration, logger: Logger) async throws -> ShardedID?
    /// Ends the session; `false` when it did not exist.
    @discardableResult
    func revoke(_ token: SessionToken, logger: Logger) async throws -> Bool
}
