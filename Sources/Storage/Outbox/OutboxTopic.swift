/// An async stage: one outbox topic, one Redis stream, one consumer group.
///
/// Raw values are stable: they are stored in `outbox.topic` and name the streams.
public struct OutboxTopic: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Fan a new media id out to the owner's followers' feeds.
    public static let feed = OutboxTopic(rawValue: "feed")
    /// Index a located media in the Redis GEO set.
    public static let geo = OutboxTopic(rawValue: "geo")
    /// Post to one linked network (payload names it).
    public static let crosspost = OutboxTopic(rawValue: "crosspost")
    /// Notify followers' devices through APNs.
    public static let push = OutboxTopic(rawValue: "push")
    /// Remove a deleted media's objects and feed entries.
    public static let cleanup = OutboxTopic(rawValue: "cleanup")
    /// A follow or unfollow: bring the target's recent media into the follower's feed, or take them out.
    public static let follow = OutboxTopic(rawValue: "follow")
    /// A like, comment or follow that lands in someone's activity list.
    public static let activity = OutboxTopic(rawValue: "activity")

    public var description: String { rawValue }

    /// The Redis stream the topic's jobs are published to.
    public var streamKey: String { "darkroom:stream:\(rawValue)" }
    /// The consumer group every worker of the stage joins.
    public var consumerGroup: String { "\(rawValue)-workers" }
    /// Where jobs go after too many failed deliveries.
    public var deadLetterKey: String { "darkroom:dlq:\(rawValue)" }
}
