import NIOCore

/// An object (or the requested range of it) read from the store.
public struct StoredObject: Sendable {
    /// The bytes returned: the whole object, or only the range asked for.
    public var body: ByteBuffer
    public var contentType: String?
    /// The entity tag without the surrounding quotes (MD5 hex for single-part uploads on S3).
    public var etag: String
    /// Bytes in `body` (the `Content-Length` of the answer, not the object size for ranges).
    public var contentLength: Int
    /// Set when a range was asked for and the server answered 206.
    public var contentRange: ContentRange?

    public init(body: ByteBuffer, contentType: String?, etag: String, contentLength: Int, contentRange: ContentRange?) {
        self.body = body
        self.contentType = contentType
        self.etag = etag
        self.contentLength = contentLength
        self.contentRange = contentRange
    }

    /// The body as an array, for callers that do not use NIO.
    public var bytes: [UInt8] { Array(body.readableBytesView) }
}
