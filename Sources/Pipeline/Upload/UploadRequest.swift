import NIOCore
import Storage
import Imaging

/// One upload as the API hands it over: the body's bytes (not copied) and the validated form fields.
public struct UploadRequest: Sendable {
    public var owner: ShardedID
    public var bytes: ByteBuffer
    public var caption: String
    public var filter: Filter
    /// From the form; when nil the photo's EXIF GPS is used, if any.
    public var location: MediaLocation?
    /// Linked networks to cross-post to (`UploadRules.crosspostNetworks`).
    public var crosspost: [String]

    public init(owner: ShardedID, bytes: ByteBuffer, caption: String = "", filter: Filter = .normal, location: MediaLocation? = nil, crosspost: [String] = []) {
        self.owner = owner
        self.bytes = bytes
        self.caption = caption
        self.filter = filter
        self.location = location
        self.crosspost = crosspost
    }
}

public enum UploadOutcome: Sendable {
    /// A new media. `published` is false when its jobs stayed in the outbox (Redis down): the relay sends them later.
    case created(MediaRecord, published: Bool)
    /// The same owner already uploaded these bytes: that media, unchanged.
    case existing(MediaRecord)

    public var media: MediaRecord {
        switch self {
        case let .created(media, _), let .existing(media): media
        }
    }
}

/// What the receive stage learned, before any pixel is decoded.
public struct ReceivedUpload: Sendable {
    public var header: ImageHeader
    /// The original's SHA-256 (dedup, its object key, SigV4) and MD5 (Content-MD5), from the one pass over its bytes.
    public var digest: ObjectDigest
    public var sha256: [UInt8] { digest.sha256 }
    public var sha256Hex: String { MediaKeys.hex(sha256) }
}
