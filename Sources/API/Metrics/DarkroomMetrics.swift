import CoreMetrics
import Metrics
import Prometheus

/// The metrics the API records itself, all in one Prometheus registry that `/metrics` renders.
///
/// `darkroom serve` also bootstraps swift-metrics with a `PrometheusMetricsFactory` over the same registry, so the
/// other modules' swift-metrics instruments land there too. Tests pass a fresh registry and never bootstrap.
public struct DarkroomMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    public let signups: Prometheus.Counter
    public let sessionsCreated: Prometheus.Counter

    /// Seconds; covers a fast session lookup up to a slow 12-MP upload.
    static let durationBuckets: [Duration] = [
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
    ]

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        signups = registry.makeCounter(descriptor: .init(
            namespace: "darkroom", metricName: "signups", unitName: "total", helpText: "Accounts created."))
        sessionsCreated = registry.makeCounter(descriptor: .init(
            namespace: "darkroom", metricName: "sessions_created", unitName: "total", helpText: "Successful logins."))
    }

    /// One request answered, by route template (never the raw path: ids would explode the label set).
    public func recordRequest(route: String, method: String, status: Int, duration: Duration) {
        registry.makeCounter(
            descriptor: .init(namespace: "darkroom", subsystem: "http", metricName: "requests", unitName: "total", helpText: "HTTP requests answered."),
            labels: [("route", route), ("method", method), ("status", String(status))]
        ).increment()
        registry.makeDurationHistogram(
            descriptor: .init(namespace: "darkroom", subsystem: "http", metricName: "request_duration", unitName: "seconds", helpText: "Time to the response head."),
            labels: [("route", route), ("method", method)],
            buckets: Self.durationBuckets
        ).record(duration)
    }

    /// Routes every swift-metrics instrument of the process (the other modules', Hummingbird's) into this registry.
    /// Call once per process, from the command: swift-metrics refuses a second bootstrap.
    public func bootstrapMetricsSystem() {
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
    }

    /// A swift-metrics factory over this registry, for the other modules' instruments without a global bootstrap.
    public var factory: any MetricsFactory { PrometheusMetricsFactory(registry: registry) }

    /// The Prometheus text exposition of everything in the registry.
    public func render() -> String {
        registry.emitToString()
    }
}
