import CoreMetrics
import Metrics
import Storage

/// The async stages' instruments (swift-metrics; `serve` and `work` route them into the Prometheus registry).
public struct WorkerMetrics: Sendable {
    let factory: any MetricsFactory

    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
    }

    /// Outcomes: `done`, `retry`, `dead_lettered`.
    public func recordOutcome(_ topic: OutboxTopic, _ outcome: String) {
        Counter(label: "darkroom_jobs_total", dimensions: [("topic", topic.rawValue), ("outcome", outcome)], factory: factory).increment()
    }

    public func recordHandler(_ topic: OutboxTopic, _ duration: Duration) {
        Timer(label: "darkroom_job_duration_seconds", dimensions: [("topic", topic.rawValue)], factory: factory).record(duration: duration)
    }

    /// Jobs taken over from dead workers.
    public func recordReclaimed(_ topic: OutboxTopic, _ count: Int) {
        guard count > 0 else { return }
        Counter(label: "darkroom_jobs_reclaimed_total", dimensions: [("topic", topic.rawValue)], factory: factory).increment(by: count)
    }

    /// Pending (delivered, not acknowledged) and lag (not yet delivered) of the stage's group.
    public func recordDepth(_ topic: OutboxTopic, pending: Int, lag: Int?) {
        Gauge(label: "darkroom_queue_pending", dimensions: [("topic", topic.rawValue)], factory: factory).record(pending)
        if let lag {
            Gauge(label: "darkroom_queue_lag", dimensions: [("topic", topic.rawValue)], factory: factory).record(lag)
        }
    }
}
