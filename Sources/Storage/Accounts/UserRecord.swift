import Foundation

/// A user's row as stored on the user's shard. `passwordHash` never leaves the API module's login path.
public struct UserRecord: Sendable, Hashable {
    public var id: ShardedID
    /// As stored: already normalised (lowercase) by the API.
    public var username: String
    public var displayName: String
    public var passwordHash: String
    public var createdAt: Date

    public init(id: ShardedID, username: String, displayName: String, passwordHash: String, createdAt: Date) {
        self.id = id
        self.username = username
        self.displayName = displayName
        self.passwordHash = passwordHash
        self.createdAt = createdAt
    }
}

/// What a new account is made of; the store mints the id.
public struct NewUser: Sendable, Hashable {
    public var username: String
    public var displayName: String
    public var passwordHash: String

    public init(username: String, displayName: String, passwordHash: String) {
        self.username = username
        self.displayName = displayName
        self.passwordHash = passwordHash
    }
}
