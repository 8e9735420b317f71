import API
import Pipeline
import Prometheus
import Storage
import Testing

@Suite struct WorkerMetricsTests {
    @Test func jobMetricsReachTheMetricsEndpointsRegistry() {
        let metrics = DarkroomMetrics()
        let workers = WorkerMetrics(factory: PrometheusMetricsFactory(registry: metrics.registry))
        workers.recordOutcome(.cleanup, "done")
        workers.recordOutcome(.cleanup, "done")
        workers.recordOutcome(.cleanup, "dead_lettered")
        workers.recordHandler(.cleanup, .milliseconds(30))
        workers.recordDepth(.cleanup, pending: 3, lag: 7)
        let text = metrics.render()
        #expect(text.contains(#"darkroom_jobs_total{topic="cleanup",outcome="done"} 2"#), "\(text)")
        #expect(text.contains(#"darkroom_jobs_total{topic="cleanup",outcome="dead_lettered"} 1"#), "\(text)")
        #expect(text.contains(#"darkroom_job_duration_seconds_count{topic="cleanup"} 1"#), "\(text)")
        #expect(text.contains(#"darkroom_queue_pending{topic="cleanup"} 3"#), "\(text)")
        #expect(text.contains(#"darkroom_queue_lag{topic="cleanup"} 7"#), "\(text)")
    }
}
