import Logging
import NIOCore
import S3
import ServiceLifecycle

/// Darkroom's `ObjectStore` on the S3 client: the same operations, with `S3Error`s mapped to `StorageError`s so the
/// rest of Darkroom handles one error type.
public struct S3ObjectStore: ObjectStore, Service {
    public typealias Attempt = S3Client.Attempt

    public let client: S3Client

    public init(client: S3Client) {
        self.client = client
    }

    /// Creates and owns an HTTP client; run the store as a `Service` (or call `shutdown()`).
    public init(configuration: S3Configuration, logger: Logger, onAttempt: (@Sendable (Attempt) -> Void)? = nil) throws(StorageError) {
        do {
            client = try S3Client(configuration: configuration, logger: logger, onAttempt: onAttempt)
        } catch {
            throw StorageError(error)
        }
    }

    public var configuration: S3Configuration { client.configuration }

    public func run() async throws { try await client.run() }

    public func shutdown() async throws { try await mapped { try await client.shutdown() } }

    @discardableResult
    public func put(_ body: ByteBuffer, at key: ObjectKey, contentType: String, createOnly: Bool, digest: ObjectDigest?) async throws -> String {
        try await mapped {
            try await client.put(body, at: key, contentType: contentType, createOnly: createOnly, sha256: digest?.sha256, md5: digest?.md5)
        }
    }

    public func get(_ key: ObjectKey, range: ObjectRange?) async throws -> StoredObject {
        try await mapped { try await client.get(key, range: range) }
    }

    public func head(_ key: ObjectKey) async throws -> ObjectMetadata {
        try await mapped { try await client.head(key) }
    }

    public func delete(_ key: ObjectKey) async throws {
        try await mapped { try await client.delete(key) }
    }

    public func list(prefix: String, continuationToken: String?, limit: Int) async throws -> ObjectListing {
        try await mapped { try await client.list(prefix: prefix, continuationToken: continuationToken, limit: limit) }
    }

    public func presignedGetURL(for key: ObjectKey, expiresIn: Duration) throws -> String {
        do {
            return try client.presignedGetURL(for: key, expiresIn: expiresIn)
        } catch {
            throw StorageError.mapping(error)
        }
    }

    public func createBucketIfMissing() async throws {
        try await mapped { try await client.createBucketIfMissing() }
    }

    public func checkHealth() async throws {
        try await mapped { try await client.checkHealth() }
    }

    private func mapped<T>(_ operation: () async throws -> T) async throws -> T {
        try await StorageError.mapping(operation)
    }
}
