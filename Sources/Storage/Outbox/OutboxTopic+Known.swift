extension OutboxTopic {
    /// Every stage the project defines (sizing pools for "all stages"; which ones run depends on the registered handlers).
    public static let allKnown: [OutboxTopic] = [.feed, .geo, .crosspost, .push, .cleanup, .follow, .activity]
}
