import Foundation

public struct CommentRecord: Sendable, Hashable {
    public var id: ShardedID
    public var mediaID: ShardedID
    public var authorID: ShardedID
    public var body: String
    public var createdAt: Date

    public init(id: ShardedID, mediaID: ShardedID, authorID: ShardedID, body: String, createdAt: Date) {
        self.id = id
        self.mediaID = mediaID
        self.authorID = authorID
        self.body = body
        self.createdAt = createdAt
    }
}
