import Foundation
import Hummingbird
import Storage

/// A media object as clients see it, alone or in lists (feed, tags, a user's media). Ids are strings (64-bit ids
/// overflow JavaScript numbers); rendition URLs are on the CDN base URL and name the media and preset only, never an
/// object key. `blurhash` and `location` (the public location) are always present, null when unknown.
///
/// What the photo's EXIF told about the owner is for the owner alone: `exif_location` (its GPS, whether published or
/// not) and `captured_at` appear only in media JSON shown to its owner (`viewer`), null when unknown, and are absent
/// from every other view, anonymous or another user's.
public struct MediaResponse: ResponseCodable, Sendable, Equatable {
    public struct Location: Codable, Sendable, Equatable {
        public var lat: Double
        public var lng: Double

        public init(lat: Double, lng: Double) {
            self.lat = lat
            self.lng = lng
        }
    }

    public struct RenditionLink: Codable, Sendable, Equatable {
        public var preset: String
        public var format: String
        public var width: Int
        public var height: Int
        public var size: Int
        public var url: String
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
    /// Owner only.
    public var exifLocation: Location?
    /// Owner only.
    public var capturedAt: String?
    /// Whether the owner-only fields are shown.
    public var isOwnerView: Bool
    public var likeCount: Int64
    public var commentCount: Int64
    public var renditions: [RenditionLink]

    enum CodingKeys: String, CodingKey {
        case id, caption, hashtags, filter, width, height, blurhash, location, renditions
        case ownerID = "owner_id", createdAt = "created_at", capturedAt = "captured_at", exifLocation = "exif_location"
        case likeCount = "like_count", commentCount = "comment_count"
    }

    /// - Parameter viewer: who asks (nil: anonymous); the owner sees the owner-only fields.
    public init(_ media: MediaRecord, viewer: ShardedID?, cdnBaseURL: String) {
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
        isOwnerView = viewer == media.ownerID
        exifLocation = isOwnerView ? media.exifLocation.map { Location(lat: $0.latitude, lng: $0.longitude) } : nil
        capturedAt = isOwnerView ? media.capturedAt?.formatted(.iso8601) : nil
        likeCount = media.likeCount
        commentCount = media.commentCount
        let base = cdnBaseURL.hasSuffix("/") ? String(cdnBaseURL.dropLast()) : cdnBaseURL
        renditions = media.renditions.map {
            RenditionLink(
                preset: $0.preset, format: $0.fileExtension, width: $0.width, height: $0.height, size: $0.size,
                url: "\(base)/m/\(media.id)/\($0.preset).\($0.fileExtension)")
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        ownerID = try container.decode(String.self, forKey: .ownerID)
        createdAt = try container.decode(String.self, forKey: .createdAt)
        caption = try container.decode(String.self, forKey: .caption)
        hashtags = try container.decode([String].self, forKey: .hashtags)
        filter = try container.decode(String.self, forKey: .filter)
        width = try container.decode(Int.self, forKey: .width)
        height = try container.decode(Int.self, forKey: .height)
        blurhash = try container.decodeIfPresent(String.self, forKey: .blurhash)
        location = try container.decodeIfPresent(Location.self, forKey: .location)
        isOwnerView = container.contains(.capturedAt) || container.contains(.exifLocation)
        exifLocation = try container.decodeIfPresent(Location.self, forKey: .exifLocation)
        capturedAt = try container.decodeIfPresent(String.self, forKey: .capturedAt)
        likeCount = try container.decode(Int64.self, forKey: .likeCount)
        commentCount = try container.decode(Int64.self, forKey: .commentCount)
        renditions = try container.decode([RenditionLink].self, forKey: .renditions)
    }

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
        if isOwnerView {
            try container.encode(exifLocation, forKey: .exifLocation)
            try container.encode(capturedAt, forKey: .capturedAt)
        }
        try container.encode(likeCount, forKey: .likeCount)
        try container.encode(commentCount, forKey: .commentCount)
        try container.encode(renditions, forKey: .renditions)
    }
}
