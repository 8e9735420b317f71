import Logging
import NIOCore
import NIOPosix
import Storage
import Imaging
import S3

/// Store: the renditions (public prefix) and the original (private prefix), all PUT concurrently. Keys come from the
/// media id and content hashes, so a retried PUT writes the same key with the same bytes. The S3 client retries
/// with backoff and jitter inside the operation's deadline.
public struct StoreStage: Sendable {
    public let objectStore: any ObjectStore

    public init(objectStore: any ObjectStore) {
        self.objectStore = objectStore
    }

    public struct Stored: Sendable {
        public var renditions: [StoredRendition]
        /// Every key written, for compensation.
        public var keys: [String]
    }

    /// PUTs everything; when any PUT fails, deletes what was written and rethrows the first failure. `original` is
    /// the digest Receive made of the original's bytes: they are not hashed again.
    public func store(
        mediaID: ShardedID, original: ByteBuffer, originalDigest: ObjectDigest, renditions: [Rendition], logger: Logger
    ) async throws -> Stored {
        let digests = try await Self.digests(of: renditions)
        let planned = zip(renditions, digests).map { rendition, digest in
            let hex = MediaKeys.hex(digest.sha256)
            return (rendition, digest, StoredRendition(
                preset: rendition.name, fileExtension: rendition.format.fileExtension, contentType: rendition.format.mimeType,
                width: rendition.width, height: rendition.height, size: rendition.bytes.count,
                key: MediaKeys.rendition(mediaID: mediaID, preset: rendition.name, fileExtension: rendition.format.fileExtension, sha256Hex: hex),
                sha256: hex))
        }
        let originalKey = MediaKeys.original(mediaID: mediaID, contentSHA256Hex: MediaKeys.hex(originalDigest.sha256))
        let objectStore = self.objectStore
        let outcomes = await withTaskGroup(of: (String, (any Error)?).self) { group in
            for (rendition, digest, stored) in planned {
                group.addTask {
                    do {
                        _ = try await objectStore.put(
                            ByteBuffer(bytes: rendition.bytes), at: try ObjectKey(stored.key), contentType: stored.contentType, createOnly: false,
                            digest: digest)
                        return (stored.key, nil)
                    } catch {
                        return (stored.key, error)
                    }
                }
            }
            group.addTask {
                do {
                    _ = try await objectStore.put(
                        original, at: try ObjectKey(originalKey), contentType: "application/octet-stream", createOnly: false, digest: originalDigest)
                    return (originalKey, nil)
                } catch {
                    return (originalKey, error)
                }
            }
            var outcomes: [(String, (any Error)?)] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
        let keys = planned.map(\.2.key) + [originalKey]
        if let failure = outcomes.first(where: { $0.1 != nil })?.1 {
            // A PUT that failed may still have landed (timeout after the write): delete every key, not just the
            // ones that reported success.
            await remove(keys, logger: logger)
            throw failure
        }
        return Stored(renditions: planned.map(\.2), keys: keys)
    }

    /// Each rendition's digests, on the thread pool: hashing is CPU work the cooperative pool must not do.
    static func digests(of renditions: [Rendition]) async throws -> [ObjectDigest] {
        let bodies = renditions.map(\.bytes)
        do {
            return try await NIOThreadPool.singleton.runIfActive {
                bodies.map { bytes in bytes.withUnsafeBytes { ObjectDigest(of: $0) } }
            }
        } catch is CancellationError {
            throw PipelineError(.cancelled, "upload cancelled before its renditions were stored")
        }
    }

    /// Best-effort delete of objects that no row will point at. What cannot be deleted now is logged with its key
    /// for the orphan sweeper; the caller's own error is what the client sees.
    public func remove(_ keys: [String], logger: Logger) async {
        let objectStore = self.objectStore
        await withTaskGroup(of: Void.self) { group in
            for key in keys {
                group.addTask {
                    do {
                        try await objectStore.delete(try ObjectKey(key))
                    } catch {
                        logger.warning("could not delete an object of a failed upload; left for the orphan sweeper", metadata: [
                            "object.key": "\(key)", "error": "\(String(reflecting: error))",
                        ])
                    }
                }
            }
        }
    }
}
