import Foundation

/// What a HEAD tells about an object.
public struct ObjectMetadata: Hashable, Sendable {
    public var size: Int
    /// The entity tag without the surrounding quotes.
    public var etag: String
    public var contentType: String?
    public var lastModified: Date?

    public init(size: Int, etag: String, contentType: String?, lastModified: Date?) {
        self.size = size
        self.etag = etag
        self.contentType = contentType
        self.lastModified = lastModified
    }
}
