import CoreMetrics
import NIOCore
import Synchronization

/// Rendition bytes held in memory by object key, least recently used first out, bounded by
/// `DARKROOM_ORIGIN_CACHE_BYTES`. Keys carry a hash of their bytes, so an entry is never stale; the only thing that
/// can end its validity is a deletion, and the origin checks the media row on every request before it looks here
/// (a deleted media is 404 in every process at once, whatever their caches hold).
///
/// A lock rather than an actor: every operation is a few pointer moves, and a hop per request would cost more.
public final class RenditionCache: Sendable {
    private let entries: Mutex<ByteBoundedLRU<String, ByteBuffer>>
    /// Larger objects are served but not kept: one huge entry would flush many hot renditions.
    public let maxEntryBytes: Int
    private let hits: Counter
    private let misses: Counter
    private let evictions: Counter
    private let bytes: Gauge

    /// `capacityBytes` 0 disables the cache. `factory` defaults to the process's bootstrapped one.
    public init(capacityBytes: Int, factory: any MetricsFactory = MetricsSystem.factory) {
        entries = Mutex(ByteBoundedLRU(capacity: capacityBytes))
        maxEntryBytes = capacityBytes / 8
        hits = Counter(label: "darkroom_origin_cache_hits_total", factory: factory)
        misses = Counter(label: "darkroom_origin_cache_misses_total", factory: factory)
        evictions = Counter(label: "darkroom_origin_cache_evictions_total", factory: factory)
        bytes = Gauge(label: "darkroom_origin_cache_bytes", factory: factory)
    }

    /// The whole object's bytes, or nil (counted as a miss).
    public func bytes(for key: String) -> ByteBuffer? {
        let found = entries.withLock { $0.value(for: key) }
        (found == nil ? misses : hits).increment()
        return found
    }

    public func insert(_ body: ByteBuffer, for key: String) {
        guard body.readableBytes <= maxEntryBytes else { return }
        let (evicted, total) = entries.withLock { lru in
            (lru.insert(body, cost: body.readableBytes, for: key), lru.totalCost)
        }
        if evicted > 0 { evictions.increment(by: Int64(evicted)) }
        bytes.record(Double(total))
    }

    /// Drops a deleted media's renditions now rather than when they age out.
    public func remove(_ keys: [String]) {
        let total = entries.withLock { lru in
            for key in keys { lru.remove(key) }
            return lru.totalCost
        }
        bytes.record(Double(total))
    }

    public var totalBytes: Int { entries.withLock { $0.totalCost } }
}
