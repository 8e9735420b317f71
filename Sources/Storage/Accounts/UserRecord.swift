import Foundation

/// A user's row as stored on the user's shard. `passwordHash` never leaves the API module's login path.
public struct UserRecord: Sendable, Hashable {
    public var id: ShardedID
    /// As stored: already normalised (lowercase) by the API.
    public var username: String
    public var displayName: String
    public var passwordHash: String
    public var createdAt: Date
    /// Maintained in the same transaction as the `followers` / `following` / `media` row that changes them.
    public var followerCount: Int64
    public var followingCount: Int64
    public var mediaCount: Int64

    public init(
        id: ShardedID, username: String, displayName: String, passwordHash: String, createdAt: Date,
        followerCount: Int64 = 0, followingCount: Int64 = 0, mediaCount: Int64 = 0
    ) {
        self.id = id
        self.username = username
        self.displayName = displayName
        self.passwordHash = passwordHash
        self.createdAt = createdAt
        self.followerCount = followerCount
        self.followingCount = followingCount
        self.mediaCount = mediaCount
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
