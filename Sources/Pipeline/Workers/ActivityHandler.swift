import Foundation
import Logging
import Storage
import RedisClient

/// The `activity` stage: puts a like, comment or follow into the recipient's activity list, once per outbox id
/// (see ``ActivityStore``). Acting on your own media lands nowhere.
public struct ActivityHandler: JobHandler {
    public let topic = OutboxTopic.activity
    public let store: ActivityStore

    public init(redis: RedisClient, cap: Int = 200) {
        self.store = ActivityStore(redis: redis, cap: cap)
    }

    public func handle(_ job: Job, context: JobContext) async throws {
        let payload = try job.decode(ActivityJob.self)
        guard ["like", "comment", "follow"].contains(payload.kind) else {
            throw PipelineError(.invalidJob, "activity job \(job.outboxID) has unknown kind \(payload.kind)")
        }
        guard payload.actorID != payload.recipientID else { return }
        let item = ActivityItem(
            id: String(job.outboxID), kind: payload.kind, actorID: payload.actorID, mediaID: payload.mediaID, commentID: payload.commentID)
        try await store.push(item, to: payload.recipientID)
    }
}
