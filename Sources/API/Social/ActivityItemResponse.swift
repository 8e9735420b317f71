import Hummingbird

/// One activity item as clients see it.
public struct ActivityItemResponse: ResponseCodable, Sendable, Equatable {
    public var id: String
    public var kind: String
    public var actorID: String
    public var mediaID: String?
    public var commentID: String?
    public var createdAt: String

    enum CodingKeys: String, CodingKey {
        case id, kind, actorID = "actor_id", mediaID = "media_id", commentID = "comment_id", createdAt = "created_at"
    }
}
