import CoreMetrics
import Metrics

/// The upload path's instruments (swift-metrics; `serve` routes them into the Prometheus registry).
public struct UploadMetrics: Sendable {
    public let factory: any MetricsFactory

    /// `factory` defaults to the process's bootstrapped one; tests pass their own.
    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
        budgetInUse = Gauge(label: "darkroom_upload_megapixels_in_use", factory: factory)
        bytesIn = Counter(label: "darkroom_upload_bytes_in_total", factory: factory)
        bytesOut = Counter(label: "darkroom_upload_bytes_out_total", factory: factory)
    }

    /// Megapixels of decodes admitted and not yet finished.
    public let budgetInUse: Gauge
    /// Upload bytes received (accepted or not).
    public let bytesIn: Counter
    /// Rendition bytes written to the object store.
    public let bytesOut: Counter

    /// Outcomes: `created`, `duplicate`, `rejected_<code>`, `overloaded`, `failed`.
    public func recordOutcome(_ outcome: String) {
        Counter(label: "darkroom_uploads_total", dimensions: [("outcome", outcome)], factory: factory).increment()
    }

    public func recordStage(_ stage: String, _ duration: Duration) {
        Timer(label: "darkroom_upload_stage_duration_seconds", dimensions: [("stage", stage)], factory: factory).record(duration: duration)
    }
}
