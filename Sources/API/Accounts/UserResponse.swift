import Foundation
import Hummingbird
import Storage

/// A user as clients see it. The id is a string: 64-bit ids overflow JavaScript numbers.
public struct UserResponse: ResponseCodable, Sendable, Equatable {
    public var id: String
    public var username: String
    public var displayName: String
    public var createdAt: String
    public var followerCount: Int64
    public var followingCount: Int64
    public var mediaCount: Int64

    enum CodingKeys: String, CodingKey {
        case id, username
        case displayName = "display_name"
        case createdAt = "created_at"
        case followerCount = "follower_count"
        case followingCount = "following_count"
        case mediaCount = "media_count"
    }

    public init(_ user: UserRecord) {
        id = user.id.description
        username = user.username
        displayName = user.displayName
        createdAt = user.createdAt.formatted(.iso8601)
        followerCount = user.followerCount
        followingCount = user.followingCount
        mediaCount = user.mediaCount
    }
}

struct SignupRequest: Decodable, Sendable {
    static let bodyLimit = JSONRequestBody.limit(textFieldLimits: [
        AccountRules.usernameLength.upperBound, AccountRules.passwordMaximumBytes, AccountRules.displayNameMaximumCharacters,
    ])

    var username: String
    var password: String
    var displayName: String?

    enum CodingKeys: String, CodingKey {
        case username, password
        case displayName = "display_name"
    }
}
