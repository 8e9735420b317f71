import Storage
import Foundation
import Logging
import Synchronization

/// A `SessionStore` for unit tests; expiry is checked against an injectable clock.
public final class InMemorySessionStore: SessionStore {
    private struct Entry { var userID: ShardedID; var expiresAt: Date }
    private let entries = Mutex<[String: Entry]>([:])
    private let now: @Sendable () -> Date

    public init(now: @escaping @Sendable () -> Date = { Date() }) {
        self.now = now
    }

    public func create(_ token: SessionToken, userID: ShardedID, ttl: Duration, logger: Logger) async throws {
        let expiresAt = now().addingTimeInterval(ttl.timeInterval)
        try entries.withLock { entries throws(StorageError) in
            guard entries[token.digest] == nil else { throw StorageError(.conflict, "session key already exists") }
            entries[token.digest] = Entry(userID: userID, expiresAt: expiresAt)
        }
    }

    public func resolve(_ token: SessionToken, ttl: Duration, logger: Logger) async throws -> ShardedID? {
        let now = now()
        return entries.withLock { entries in
            guard var entry = entries[token.digest] else { return nil }
            guard entry.expiresAt > now else {
                entries[token.digest] = nil
                return nil
            }
            entry.expiresAt = now.addingTimeInterval(ttl.timeInterval)
            entries[token.digest] = entry
            return entry.userID
        }
    }

    @discardableResult
    public func revoke(_ token: SessionToken, logger: Logger) async throws -> Bool {
        entries.withLock { $0.removeValue(forKey: token.digest) != nil }
    }

    /// When the session would expire, for tests of the sliding expiry; `nil` when absent.
    public func expiry(of token: SessionToken) -> Date? {
        entries.withLock { $0[token.digest]?.expiresAt }
    }
}
