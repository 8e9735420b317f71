import RedisClient
/// A stream entry handed to a consumer, with how many times it has been delivered (this time included).
public struct JobDelivery: Sendable, Hashable {
    public var entry: RedisStreamEntry
    public var deliveryCount: Int

    public init(entry: RedisStreamEntry, deliveryCount: Int) {
        self.entry = entry
        self.deliveryCount = deliveryCount
    }
}

/// What one XAUTOCLAIM pass took over.
public struct JobReclaim: Sendable, Hashable {
    public var deliveries: [JobDelivery]
    /// Pending ids whose entries were gone (trimmed or deleted); Redis dropped them from the pending list.
    public var deletedIDs: [String]
    /// Where the next pass starts; `0-0` after a full scan.
    public var nextCursor: String
}
