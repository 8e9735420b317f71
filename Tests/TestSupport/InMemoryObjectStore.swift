import Storage
import Crypto
import Foundation
import NIOCore
import S3

/// An `ObjectStore` in a dictionary, with S3's observable behaviour (create-only puts, ranges and
/// 416, idempotent deletes, paginated listing in UTF-8 key order) for unit tests and dev mode.
public actor InMemoryObjectStore: ObjectStore {
    struct Object: Sendable {
        var body: ByteBuffer
        var contentType: String
        var etag: String
        var lastModified: Date
    }

    private var objects: [ObjectKey: Object] = [:]
    private var injectedFailures: [StorageError] = []
    private let bucket: String
    private let now: @Sendable () -> Date

    public init(bucket: String = "memory", now: @escaping @Sendable () -> Date = { Date() }) {
        self.bucket = bucket
        self.now = now
    }

    /// The next operations fail with these errors, in order (to test callers' failure paths).
    public func failNextOperations(with errors: [StorageError]) {
        injectedFailures += errors
    }

    /// Every stored key, sorted, for assertions.
    public var keys: [ObjectKey] { objects.keys.sorted() }

    private func takeInjectedFailure() throws(StorageError) {
        if !injectedFailures.isEmpty { throw injectedFailures.removeFirst() }
    }

    @discardableResult
    public func put(_ body: ByteBuffer, at key: ObjectKey, contentType: String, createOnly: Bool, digest: ObjectDigest?) async throws -> String {
        try takeInjectedFailure()
        if createOnly, objects[key] != nil {
            throw StorageError(.alreadyExists, "At least one of the pre-conditions you specified did not hold (put \(key))",
                serverCode: "PreconditionFailed", httpStatus: 412)
        }
        let etag = body.withUnsafeReadableBytes { S3RequestSigner.hex(Insecure.MD5.hash(data: $0)) }
        objects[key] = Object(body: body, contentType: contentType, etag: etag, lastModified: now())
        return etag
    }

    public func get(_ key: ObjectKey, range: ObjectRange?) async throws -> StoredObject {
        try takeInjectedFailure()
        let object = try stored(key, operation: "get")
        guard let range else {
            return StoredObject(
                body: object.body, contentType: object.contentType, etag: object.etag,
                contentLength: object.body.readableBytes, contentRange: nil)
        }
        do { try range.validate() } catch { throw StorageError(error) }
        let size = object.body.readableBytes
        guard let bounds = range.bounds(forSize: size) else {
            throw StorageError(.invalidRange, "The requested range is not satisfiable (get \(key))",
                serverCode: "InvalidRange", httpStatus: 416)
        }
        let slice = object.body.getSlice(at: object.body.readerIndex + bounds.lowerBound, length: bounds.count) ?? ByteBuffer()
        return StoredObject(
            body: slice, contentType: object.contentType, etag: object.etag, contentLength: slice.readableBytes,
            contentRange: ContentRange(first: bounds.lowerBound, last: bounds.upperBound, total: size))
    }

    public func head(_ key: ObjectKey) async throws -> ObjectMetadata {
        try takeInjectedFailure()
        let object = try stored(key, operation: "head")
        return ObjectMetadata(
            size: object.body.readableBytes, etag: object.etag, contentType: object.contentType,
            lastModified: object.lastModified)
    }

    public func delete(_ key: ObjectKey) async throws {
        try takeInjectedFailure()
        objects[key] = nil
    }

    public func list(prefix: String, continuationToken: String?, limit: Int) async throws -> ObjectListing {
        try takeInjectedFailure()
        guard (1...1000).contains(limit) else {
            throw StorageError(.invalidArgument, "list limit \(limit) is outside 1...1000")
        }
        // The token is the last key of the previous page, so keys added meanwhile behave as in S3.
        let matching = objects.keys
            .filter { key in
                guard key.rawValue.hasPrefix(prefix) else { return false }
                guard let after = continuationToken else { return true }
                return after.utf8.lexicographicallyPrecedes(key.rawValue.utf8)
            }
            .sorted()
        let page = matching.prefix(limit)
        let entries = page.map { key in
            let object = objects[key]!
            return ObjectListing.Entry(
                key: key, size: object.body.readableBytes, etag: object.etag, lastModified: object.lastModified)
        }
        let token = matching.count > limit ? page.last?.rawValue : nil
        return ObjectListing(entries: entries, continuationToken: token)
    }

    public nonisolated func presignedGetURL(for key: ObjectKey, expiresIn: Duration) throws -> String {
        let seconds = expiresIn.components.seconds + (expiresIn.components.attoseconds > 0 ? 1 : 0)
        guard (1...Int64(S3RequestSigner.maxPresignedExpiry)).contains(seconds) else {
            throw StorageError(.invalidArgument, "presigned URL expiry \(seconds) s is outside 1...\(S3RequestSigner.maxPresignedExpiry)")
        }
        return "memory://\(bucket)/\(S3RequestSigner.encodePath(key.rawValue))?expires=\(seconds)"
    }

    public func createBucketIfMissing() async throws {
        try takeInjectedFailure()
    }

    public func checkHealth() async throws {
        try takeInjectedFailure()
    }

    private func stored(_ key: ObjectKey, operation: String) throws(StorageError) -> Object {
        guard let object = objects[key] else {
            throw StorageError(.notFound, "The specified key does not exist. (\(operation) \(key))",
                serverCode: "NoSuchKey", httpStatus: 404)
        }
        return object
    }
}
