/// The Redis names one async stage uses: its stream, its consumer group, its dead-letter stream.
///
/// Production names come from the topic (``OutboxTopic/streamKey`` etc.); tests inject their own so parallel runs
/// never share a stream.
public struct JobStream: Sendable, Hashable, CustomStringConvertible {
    public var topic: OutboxTopic
    public var key: String
    public var group: String
    public var deadLetterKey: String

    public init(topic: OutboxTopic) {
        self.init(topic: topic, key: topic.streamKey, group: topic.consumerGroup, deadLetterKey: topic.deadLetterKey)
    }

    public init(topic: OutboxTopic, key: String, group: String, deadLetterKey: String) {
        self.topic = topic
        self.key = key
        self.group = group
        self.deadLetterKey = deadLetterKey
    }

    /// The consumer that failed jobs are parked under while they wait out their backoff. Any worker of the group
    /// claims them from there once due, so a retry survives the death of the worker that failed it.
    public var retryConsumer: String { "darkroom-retry" }

    public var description: String { key }
}
