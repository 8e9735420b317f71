import Logging
import Storage

/// Publish: after the commit, the outbox rows go to their streams and are marked sent. Redis being down does not fail
/// the upload: the rows stay unsent and the relay delivers them later.
public struct PublishStage: Sendable {
    public let publisher: OutboxPublisher

    public init(publisher: OutboxPublisher) {
        self.publisher = publisher
    }

    /// True when every row was published and marked.
    public func publish(_ rows: [OutboxRow], logger: Logger) async -> Bool {
        do {
            try await publisher.publish(rows, logger: logger)
            return true
        } catch {
            logger.warning("outbox rows left for the relay", metadata: [
                "outbox.ids": "\(rows.map(\.id))", "error": "\(String(reflecting: error))",
            ])
            return false
        }
    }
}
