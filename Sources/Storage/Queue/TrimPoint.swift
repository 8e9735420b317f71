/// Where a stream may be trimmed (`XTRIM MINID ~ <threshold>`) without losing a job.
///
/// MINID drops every entry below the threshold whatever the groups' state, so the threshold must stay at or below,
/// for every group, the oldest entry still pending and the first entry not yet delivered. A group with nothing
/// pending needs only the entries after its last-delivered id.
public enum TrimPoint {
    public struct GroupState: Sendable, Hashable {
        public var lastDeliveredID: StreamEntryID
        /// Oldest entry in the group's pending entries list; `nil` when nothing is pending.
        public var oldestPendingID: StreamEntryID?

        public init(lastDeliveredID: StreamEntryID, oldestPendingID: StreamEntryID?) {
            self.lastDeliveredID = lastDeliveredID
            self.oldestPendingID = oldestPendingID
        }
    }

    /// The MINID threshold, or `nil` when the stream must not be trimmed (it has no group yet: entries published
    /// before the first worker started would be lost).
    public static func threshold(groups: [GroupState]) -> StreamEntryID? {
        groups.map { group in
            let firstUndelivered = group.lastDeliveredID.successor
            guard let pending = group.oldestPendingID else { return firstUndelivered }
            return min(pending, firstUndelivered)
        }.min()
    }
}
