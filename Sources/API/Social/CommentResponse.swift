import Foundation
import Hummingbird
import Pipeline
import Storage

/// A comment as clients see it; `hashtags` are parsed from the text.
public struct CommentResponse: ResponseCodable, Sendable, Equatable {
    public var id: String
    public var mediaID: String
    public var authorID: String
    public var text: String
    public var hashtags: [String]
    public var createdAt: String

    enum CodingKeys: String, CodingKey {
        case id, mediaID = "media_id", authorID = "author_id", text, hashtags, createdAt = "created_at"
    }

    public init(_ comment: CommentRecord) {
        id = comment.id.description
        mediaID = comment.mediaID.description
        authorID = comment.authorID.description
        text = comment.body
        hashtags = HashtagParser.tags(in: comment.body)
        createdAt = comment.createdAt.formatted(.iso8601)
    }
}
