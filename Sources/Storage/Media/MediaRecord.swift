import Foundation

/// One stored rendition, as listed in `media.renditions` (jsonb). The object key carries a hash of the bytes, so a
/// key is never overwritten with different content and `etag` is a strong validator forever.
public struct StoredRendition: Codable, Sendable, Hashable {
    /// Preset name (`w1080`, `sq150`).
    public var preset: String
    /// File extension as served (`jpg`, `webp`).
    public var fileExtension: String
    public var contentType: String
    public var width: Int
    public var height: Int
    public var size: Int
    /// Object key in the bucket (public prefix).
    public var key: String
    /// Hex SHA-256 of the bytes (the strong ETag's value).
    public var sha256: String

    public init(preset: String, fileExtension: String, contentType: String, width: Int, height: Int, size: Int, key: String, sha256: String) {
        self.preset = preset
        self.fileExtension = fileExtension
        self.contentType = contentType
        self.width = width
        self.height = height
        self.size = size
        self.key = key
        self.sha256 = sha256
    }

    enum CodingKeys: String, CodingKey {
        case preset, fileExtension = "ext", contentType = "content_type", width, height, size, key, sha256
    }
}

public struct MediaLocation: Sendable, Hashable, Codable {
    public var latitude: Double
    public var longitude: Double

    public init(latitude: Double, longitude: Double) {
        self.latitude = latitude
        self.longitude = longitude
    }

    /// A pair of nullable columns: a location when both are set.
    init?(latitude: Double?, longitude: Double?) {
        guard let latitude, let longitude else { return nil }
        self.init(latitude: latitude, longitude: longitude)
    }
}

/// What an upload writes: everything but the counters and timestamps the database fills in.
public struct NewMedia: Sendable, Hashable {
    /// Minted on the owner's shard before the objects are stored, so the keys can name it.
    public var id: ShardedID
    public var ownerID: ShardedID
    public var contentSHA256: [UInt8]
    public var caption: String
    public var hashtags: [String]
    public var filter: String
    public var width: Int
    public var height: Int
    public var blurhash: String?
    /// The public location: only what the uploader sent, or the photo's GPS when they opted in. Feeds the geo index.
    public var location: MediaLocation?
    /// The photo's EXIF GPS, whatever the uploader chose: private to the owner, never indexed or shown to others.
    public var exifLocation: MediaLocation?
    /// EXIF capture time: private to the owner, like `exifLocation`.
    public var capturedAt: Date?
    public var cameraMake: String?
    public var cameraModel: String?
    public var renditions: [StoredRendition]

    public init(
        id: ShardedID, ownerID: ShardedID, contentSHA256: [UInt8], caption: String, hashtags: [String], filter: String,
        width: Int, height: Int, blurhash: String?, location: MediaLocation?, exifLocation: MediaLocation? = nil, capturedAt: Date?, cameraMake: String?,
        cameraModel: String?, renditions: [StoredRendition]
    ) {
        self.id = id
        self.ownerID = ownerID
        self.contentSHA256 = contentSHA256
        self.caption = caption
        self.hashtags = hashtags
        self.filter = filter
        self.width = width
        self.height = height
        self.blurhash = blurhash
        self.location = location
        self.exifLocation = exifLocation
        self.capturedAt = capturedAt
        self.cameraMake = cameraMake
        self.cameraModel = cameraModel
        self.renditions = renditions
    }
}

/// A media row as read back: what the upload wrote (`content`, whose fields read through: `record.caption`) and what
/// the database keeps up to date.
@dynamicMemberLookup
public struct MediaRecord: Sendable, Hashable {
    /// Hashtags lower-cased, without `#`, alphabetical.
    public var content: NewMedia
    public var likeCount: Int64
    public var commentCount: Int64
    public var createdAt: Date
    public var deletedAt: Date?

    public var isDeleted: Bool { deletedAt != nil }

    public subscript<T>(dynamicMember keyPath: WritableKeyPath<NewMedia, T>) -> T {
        get { content[keyPath: keyPath] }
        set { content[keyPath: keyPath] = newValue }
    }

    public init(_ content: NewMedia, likeCount: Int64 = 0, commentCount: Int64 = 0, createdAt: Date, deletedAt: Date? = nil) {
        self.content = content
        self.likeCount = likeCount
        self.commentCount = commentCount
        self.createdAt = createdAt
        self.deletedAt = deletedAt
    }
}

/// Object keys of a media. Derived from the media id and content hashes, never from client input, so a request
/// path can name a media but never a key.
public enum MediaKeys {
    /// Renditions: public prefix (the CDN origin serves them). The bytes' hash makes the key immutable.
    public static func rendition(mediaID: ShardedID, preset: String, fileExtension: String, sha256Hex: String) -> String {
        "public/m/\(mediaID)/\(preset)-\(sha256Hex.prefix(16)).\(fileExtension)"
    }

    /// The uploaded bytes as received: private prefix (never served).
    public static func original(mediaID: ShardedID, contentSHA256Hex: String) -> String {
        "private/originals/\(mediaID)/\(contentSHA256Hex)"
    }

    /// The prefixes under which every object of every media lives, each followed by `<media id>/`.
    public static let mediaPrefixes = ["public/m/", "private/originals/"]

    /// The media a key belongs to (`public/m/<id>/…`, `private/originals/<id>/…`); nil for any other key.
    public static func mediaID(of key: String) -> ShardedID? {
        for prefix in mediaPrefixes where key.hasPrefix(prefix) {
            let rest = key.dropFirst(prefix.count)
            guard let slash = rest.firstIndex(of: "/"), rest.index(after: slash) < rest.endIndex else { return nil }
            return ShardedID(string: rest[..<slash])
        }
        return nil
    }

    /// Every key of the media, for cleanup and compensation.
    public static func all(of media: MediaRecord) -> [String] {
        media.renditions.map(\.key) + [original(mediaID: media.id, contentSHA256Hex: hex(media.contentSHA256))]
    }

    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
