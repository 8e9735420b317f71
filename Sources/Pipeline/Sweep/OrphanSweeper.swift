import Foundation
import Logging
import S3
import Storage

/// Deletes media objects that no live row points at: those of an upload whose process died between Store and Metadata
/// (or whose metadata outcome stayed unknown), and those of deleted media whose cleanup failed.
///
/// It lists the media prefixes (`MediaKeys.mediaPrefixes`) page by page and, per page, asks each shard once which of
/// the page's media ids have a live row. An object is deleted only when it is older than `grace` (so an upload still
/// between Store and Metadata is never touched: keep `grace` far above the longest upload) and its media certainly
/// has no live row: a soft-deleted row counts as none (its objects are garbage; deleting them again after the
/// `cleanup` job is harmless). Keys that name no media, ids of shards outside the map, and ids whose shard could not
/// be asked are left alone. The decision is per media id, so every object under a live media's prefix (on-demand
/// variants included) is kept.
public struct OrphanSweeper: Sendable {
    public struct Report: Sendable, Equatable, CustomStringConvertible {
        /// Objects listed.
        public var scanned = 0
        /// Orphans deleted (with `dryRun`: that would be deleted).
        public var deleted = 0
        /// Objects whose media has a live row.
        public var kept = 0
        /// Objects younger than the grace period, whatever their row.
        public var young = 0
        /// Objects left because nothing certain could be said: a key naming no media, a shard outside the map or one
        /// that did not answer.
        public var undecided = 0
        /// Orphans whose delete failed (tried again next sweep).
        public var failed = 0

        public init() {}

        public var description: String {
            "scanned \(scanned), deleted \(deleted), kept \(kept) (live row), young \(young) (within grace), "
                + "undecided \(undecided), failed \(failed)"
        }
    }

    public let objectStore: any ObjectStore
    public let media: MediaRepository
    public let grace: Duration
    /// Objects listed (and rows looked up) per round.
    public let pageSize: Int
    /// Deletes in flight at once.
    public let deleteConcurrency: Int

    public init(objectStore: any ObjectStore, media: MediaRepository, grace: Duration, pageSize: Int = 1000, deleteConcurrency: Int = 16) {
        self.objectStore = objectStore
        self.media = media
        self.grace = grace
        self.pageSize = pageSize
        self.deleteConcurrency = deleteConcurrency
    }

    /// One pass over every media prefix. `orphan` is called with each orphan's key once it is deleted (or, with
    /// `dryRun`, instead of deleting it); `progress` after each page with the totals so far. Throws only when the
    /// object store cannot be listed.
    public func sweep(
        dryRun: Bool, now: Date = Date(), logger: Logger,
        orphan: (ObjectKey) -> Void = { _ in }, progress: (Report) -> Void = { _ in }
    ) async throws -> Report {
        var report = Report()
        let cutoff = now.addingTimeInterval(-grace.timeInterval)
        for prefix in MediaKeys.mediaPrefixes {
            var token: String?
            repeat {
                let page = try await objectStore.list(prefix: prefix, continuationToken: token, limit: pageSize)
                token = page.continuationToken
                let orphans = await classify(page.entries, cutoff: cutoff, report: &report, logger: logger)
                if dryRun {
                    orphans.forEach(orphan)
                    report.deleted += orphans.count
                } else {
                    let deleted = await delete(orphans, logger: logger)
                    deleted.forEach(orphan)
                    report.deleted += deleted.count
                    report.failed += orphans.count - deleted.count
                }
                progress(report)
            } while token != nil
        }
        return report
    }

    /// Counts the page into `report` and returns the orphans among it.
    func classify(_ entries: [ObjectListing.Entry], cutoff: Date, report: inout Report, logger: Logger) async -> [ObjectKey] {
        report.scanned += entries.count
        var candidates: [(ObjectKey, ShardedID)] = []
        for entry in entries {
            guard let lastModified = entry.lastModified, lastModified <= cutoff else {
                report.young += 1
                continue
            }
            guard let id = MediaKeys.mediaID(of: entry.key.rawValue) else {
                report.undecided += 1
                continue
            }
            candidates.append((entry.key, id))
        }
        guard !candidates.isEmpty else { return [] }
        let liveness = await media.liveness(of: Set(candidates.map(\.1)), logger: logger)
        var orphans: [ObjectKey] = []
        for (key, id) in candidates {
            if liveness.live.contains(id) {
                report.kept += 1
            } else if liveness.unknown.contains(id) {
                report.undecided += 1
            } else {
                orphans.append(key)
            }
        }
        return orphans
    }

    /// Deletes `keys`, at most `deleteConcurrency` at once; returns those deleted.
    func delete(_ keys: [ObjectKey], logger: Logger) async -> [ObjectKey] {
        let objectStore = self.objectStore
        var deleted: [ObjectKey] = []
        for start in stride(from: 0, to: keys.count, by: deleteConcurrency) {
            let batch = keys[start..<min(start + deleteConcurrency, keys.count)]
            deleted += await withTaskGroup(of: ObjectKey?.self) { group in
                for key in batch {
                    group.addTask {
                        do {
                            try await objectStore.delete(key)
                            return key
                        } catch {
                            logger.warning("could not delete an orphan object; tried again next sweep", metadata: [
                                "object.key": "\(key)", "error": "\(String(reflecting: error))",
                            ])
                            return nil
                        }
                    }
                }
                return await group.reduce(into: []) { if let key = $1 { $0.append(key) } }
            }
        }
        return deleted
    }
}
