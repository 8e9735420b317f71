import Crypto
import Logging
import NIOCore
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

    /// PUTs everything; when any PUT fails, deletes what was written and rethrows the first failure.
    public func store(
        mediaID: ShardedID, original: ByteBuffer, originalHex: String, renditions: [Rendition], logger: Logger
    ) async throws -> Stored {
        let planned = renditions.map { rendition in
            let hex = MediaKeys.hex(Array(SHA256.hash(data: rendition.bytes)))
            return (rendition, StoredRendition(
                preset: rendition.name, fileExtension: rendition.format.fileExtension, contentType: rendition.format.mimeType,
                width: rendition.width, height: rendition.height, size: rendition.bytes.count,
                key: MediaKeys.rendition(mediaID: mediaID, preset: rendition.name, fileExtension: rendition.format.fileExtension, sha256Hex: hex),
                sha256: hex))
        }
        let originalKey = MediaKeys.original(mediaID: mediaID, contentSHA256Hex: originalHex)
        let objectStore = self.objectStore
        let outcomes = await withTaskGroup(of: (String, (any Error)?).self) { group in
            for (rendition, stored) in planned {
                group.addTask {
                    do {
                        _ = try await objectStore.put(rendition.bytes, at: try ObjectKey(stored.key), contentType: stored.contentType, createOnly: false)
                        return (stored.key, nil)
                    } catch {
                        return (stored.key, error)
                    }
                }
            }
            group.addTask {
                do {
                    _ = try await objectStore.put(original, at: try ObjectKey(originalKey), contentType: "application/octet-stream")
                    return (originalKey, nil)
                } catch {
                    return (originalKey, error)
                }
            }
            var outcomes: [(String, (any Error)?)] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
        let keys = planned.map(\.1.key) + [originalKey]
        if let failure = outcomes.first(where: { $0.1 != nil })?.1 {
            // A PUT that failed may still have landed (timeout after the write): delete every key, not just the
            // ones that reported success.
            await remove(keys, logger: logger)
            throw failure
        }
        return Stored(renditions: planned.map(\.1), keys: keys)
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
