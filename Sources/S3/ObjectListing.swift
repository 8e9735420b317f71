import Foundation

/// One page of a listing by prefix.
public struct ObjectListing: Hashable, Sendable {
    public struct Entry: Hashable, Sendable {
        public var key: ObjectKey
        public var size: Int
        /// The entity tag without the surrounding quotes.
        public var etag: String
        public var lastModified: Date?

        public init(key: ObjectKey, size: Int, etag: String, lastModified: Date?) {
            self.key = key
            self.size = size
            self.etag = etag
            self.lastModified = lastModified
        }
    }

    /// Entries in key order (UTF-8 binary order, as S3 lists).
    public var entries: [Entry]
    /// Pass back to get the next page; nil on the last page.
    public var continuationToken: String?

    public init(entries: [Entry], continuationToken: String?) {
        self.entries = entries
        self.continuationToken = continuationToken
    }
}
