import NIOCore
import Storage
import Imaging

/// One upload as the API hands it over: the body's bytes (not copied) and the validated form fields.
public struct UploadRequest: Sendable {
    public var owner: ShardedID
    public var bytes: ByteBuffer
    public var caption: String
    public var filter: Filter
    /// What the uploader chose to publish as the media's location; the photo's EXIF GPS stays private otherwise.
    public var location: PublicLocation
    /// Linked networks to cross-post to (`UploadRules.crosspostNetworks`).
    public var crosspost: [String]

    public init(owner: ShardedID, bytes: ByteBuffer, caption: String = "", filter: Filter = .normal, location: PublicLocation = .none, crosspost: [String] = []) {
        self.owner = owner
        self.bytes = bytes
        self.caption = caption
        self.filter = filter
        self.location = location
        self.crosspost = crosspost
    }
}

/// The public location of an upload. Private by default: the photo's own GPS is published only on request.
public enum PublicLocation: Sendable, Hashable {
    /// No public location (the EXIF GPS, if any, is kept for the owner only).
    case none
    /// The coordinates the client sent (`lat`, `lng`).
    case given(MediaLocation)
    /// The photo's EXIF GPS (`location=exif`); a photo without GPS simply gets no location.
    case exif

    /// The location to publish, given what the photo's EXIF says.
    public func resolved(exifGPS: MediaLocation?) -> MediaLocation? {
        switch self {
        case .none: nil
        case let .given(location): location
        case .exif: exifGPS
        }
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
