import Logging
import Storage
import Synchronization

/// Runs a handler on a job and, as the queue would, on every follow-up job it enqueues (the chunks of a fan-out),
/// in this process and in order. For benchmarks and tests of a handler without the queue.
public enum JobChain {
    /// Returns how many jobs ran.
    @discardableResult
    public static func run(_ handler: some JobHandler, from first: Job, logger: Logger) async throws -> Int {
        let queue = Mutex<[Job]>([first])
        var ran = 0
        while let job = queue.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) {
            let context = JobContext(logger: logger) { topic, payload, outboxID, shard in
                queue.withLock {
                    $0.append(Job(outboxID: outboxID, shard: shard, topic: topic, payload: payload, streamEntryID: "0-2", deliveryCount: 1))
                }
            }
            try await handler.handle(job, context: context)
            ran += 1
        }
        return ran
    }
}
