import Foundation
import Hummingbird

/// The answer to a login. `token` is shown once; the server keeps only its hash.
public struct SessionResponse: ResponseCodable, Sendable, Equatable {
    public var token: String
    public var expiresAt: String
    public var user: UserResponse

    enum CodingKeys: String, CodingKey {
        case token, user
        case expiresAt = "expires_at"
    }

    public init(token: String, expiresAt: Date, user: UserResponse) {
        self.token = token
        self.expiresAt = expiresAt.formatted(.iso8601)
        self.user = user
    }
}

struct LoginRequest: Decodable, Sendable {
    static let bodyLimit = JSONRequestBody.limit(textFieldLimits: [AccountRules.usernameLength.upperBound, AccountRules.passwordMaximumBytes])

    var username: String
    var password: String
}
