import Foundation
import Hummingbird
import Storage

/// A media as clients see it in lists (feed, tags). Ids are strings: 64-bit ids overflow JavaScript numbers.
public struct MediaResponse: ResponseCodable, Sendable, Equatable {
    public struct Location: Codable, Sendable, Equatable {
        public var lat: Double
        public var lng: Double
    }

    public struct Rendition: Codable, Sendable, Equatable {
        public var preset: String
        public var contentType: String
        public var width: Int
        public var height: Int
        public var key: String

        enum CodingKeys: String, CodingKey {
            case preset, contentType = "content_type", width, height, key
        }
    }

    public var id: String
    public var ownerID: String
    public var createdAt: String
    public var caption: String
    public var hashtags: [String]
    public var filter: String
    public var width: Int
    public var height: Int
    public var blurhash: String?
    public var location: Location?
    public var likeCount: Int64
    public var commentCount: Int64
    public var renditions: [Rendition]

    enum CodingKeys: String, CodingKey {
        case id, ownerID = "owner_id", createdAt = "created_at", caption, hashtags, filter, width, height, blurhash, location
        case likeCount = "like_count", commentCount = "comment_count", renditions
    }

    public init(_ media: MediaRecord) {
        id = media.id.description
        ownerID = media.ownerID.description
        createdAt = media.createdAt.formatted(.iso8601)
        caption = media.caption
        hashtags = media.hashtags
        filter = media.filter
        width = media.width
        height = media.height
        blurhash = media.blurhash
        location = media.location.map { Location(lat: $0.latitude, lng: $0.longitude) }
        likeCount = media.likeCount
        commentCount = media.commentCount
        renditions = media.renditions.map {
            Rendition(preset: $0.preset, contentType: $0.contentType, width: $0.width, height: $0.height, key: $0.key)
        }
    }

    // `location` and `blurhash` are always present, null when absent.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(ownerID, forKey: .ownerID)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(caption, forKey: .caption)
        try container.encode(hashtags, forKey: .hashtags)
        try container.encode(filter, forKey: .filter)
        try container.encode(width, forKey: .width)
        try container.encode(height, forKey: .height)
        try container.encode(blurhash, forKey: .blurhash)
        try container.encode(location, forKey: .location)
        try container.encode(likeCount, forKey: .likeCount)
        try container.encode(commentCount, forKey: .commentCount)
        try container.encode(renditions, forKey: .renditions)
    }
}
