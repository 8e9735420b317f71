import NIOCore
import S3

/// A bucket of immutable objects: S3 in production (`S3ObjectStore`), `InMemoryObjectStore` in tests.
///
/// Every operation throws `StorageError` only: `.notFound`, `.alreadyExists` (create-only put),
/// `.accessDenied`, `.invalidRange`, `.conflict`, `.rejected`, `.unavailable`, `.timeout`,
/// `.invalidArgument` (refused before any request) or `.protocolError`.
public protocol ObjectStore: Sendable {
    /// Stores `body` at `key`. With `createOnly` the write succeeds only if no object exists there
    /// (`If-None-Match: *`) and throws `.alreadyExists` otherwise. Returns the new entity tag.
    ///
    /// A retried create-only put whose first attempt did land answers `.alreadyExists`: keys are
    /// deterministic, so callers treat that as "already stored" when the content is the same.
    ///
    /// `digest`, when the caller already has it, spares the store hashing the body again (on the caller's task).
    @discardableResult
    func put(_ body: ByteBuffer, at key: ObjectKey, contentType: String, createOnly: Bool, digest: ObjectDigest?) async throws -> String

    /// Reads the object, or only `range` of it (then `contentRange` is set). `.notFound`, `.invalidRange`.
    func get(_ key: ObjectKey, range: ObjectRange?) async throws -> StoredObject

    /// Size, entity tag, content type and last modification of the object. `.notFound`.
    func head(_ key: ObjectKey) async throws -> ObjectMetadata

    /// Removes the object; removing an absent object succeeds.
    func delete(_ key: ObjectKey) async throws

    /// One page (at most `limit`, 1...1000) of the objects whose keys start with `prefix`,
    /// in key order. Pass the returned `continuationToken` back for the next page.
    func list(prefix: String, continuationToken: String?, limit: Int) async throws -> ObjectListing

    /// A URL anyone can GET the object from until `expiresIn` (1 s ... 7 days) has passed.
    func presignedGetURL(for key: ObjectKey, expiresIn: Duration) throws -> String

    /// Creates the bucket; succeeds when it already exists and belongs to us.
    func createBucketIfMissing() async throws

    /// Succeeds when the bucket answers with our credentials (for readiness checks).
    func checkHealth() async throws
}

extension ObjectStore {
    @discardableResult
    public func put(_ body: ByteBuffer, at key: ObjectKey, contentType: String, createOnly: Bool = false) async throws -> String {
        try await put(body, at: key, contentType: contentType, createOnly: createOnly, digest: nil)
    }

    @discardableResult
    public func put(_ bytes: [UInt8], at key: ObjectKey, contentType: String, createOnly: Bool = false) async throws -> String {
        try await put(ByteBuffer(bytes: bytes), at: key, contentType: contentType, createOnly: createOnly)
    }

    public func get(_ key: ObjectKey) async throws -> StoredObject {
        try await get(key, range: nil)
    }

    /// Every object under `prefix`, following continuation tokens to the end.
    public func listAll(prefix: String, pageSize: Int = 1000) async throws -> [ObjectListing.Entry] {
        var entries: [ObjectListing.Entry] = []
        var token: String? = nil
        repeat {
            let page = try await list(prefix: prefix, continuationToken: token, limit: pageSize)
            entries += page.entries
            token = page.continuationToken
        } while token != nil
        return entries
    }
}
