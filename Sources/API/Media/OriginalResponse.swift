import Foundation
import Hummingbird

/// `GET /v1/media/{id}/original`: a presigned S3 URL of the uploaded bytes, for their owner only.
public struct OriginalResponse: ResponseCodable, Sendable, Equatable {
    public var url: String
    public var expiresAt: String

    enum CodingKeys: String, CodingKey {
        case url
        case expiresAt = "expires_at"
    }

    public init(url: String, expiresAt: Date) {
        self.url = url
        self.expiresAt = expiresAt.formatted(.iso8601)
    }
}
