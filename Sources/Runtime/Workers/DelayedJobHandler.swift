import Pipeline
import Storage

/// Sleeps before each job (`DARKROOM_JOB_HANDLER_DELAY_MS`): fault drills and the kill-mid-job test need a window in
/// which a worker holds a job it has not done yet.
struct DelayedJobHandler: JobHandler {
    let wrapped: any JobHandler
    let delay: Duration

    var topic: OutboxTopic { wrapped.topic }

    func handle(_ job: Job, context: JobContext) async throws {
        try await Task.sleep(for: delay)
        try await wrapped.handle(job, context: context)
    }
}
