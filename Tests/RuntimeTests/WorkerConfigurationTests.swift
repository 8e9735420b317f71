import Runtime
import Testing

@Suite struct WorkerConfigurationTests {
    @Test func defaults() throws {
        let workers = try DarkroomConfiguration(environment: [:]).workers
        #expect(workers.concurrency == 4)
        #expect(workers.maxDeliveries == 5)
        #expect(workers.retryBase == .seconds(1))
        #expect(workers.retryMax == .seconds(60))
        #expect(workers.reclaimIdle == .seconds(60))
        #expect(workers.relayDelay == .seconds(5))
        #expect(workers.outboxRetention == .seconds(24 * 3600))
        #expect(workers.handlerDelay == .zero)
        #expect(workers.name == nil)
    }

    @Test func readsOverrides() throws {
        let workers = try DarkroomConfiguration(environment: [
            "DARKROOM_WORKER_CONCURRENCY": "16",
            "DARKROOM_JOB_MAX_DELIVERIES": "8",
            "DARKROOM_JOB_RECLAIM_IDLE_MS": "120000",
            "DARKROOM_OUTBOX_RELAY_DELAY_MS": "2000",
            "DARKROOM_OUTBOX_RETENTION_HOURS": "48",
            "DARKROOM_WORKER_NAME": "worker-a",
        ]).workers
        #expect(workers.concurrency == 16)
        #expect(workers.maxDeliveries == 8)
        #expect(workers.reclaimIdle == .seconds(120))
        #expect(workers.relayDelay == .seconds(2))
        #expect(workers.outboxRetention == .seconds(48 * 3600))
        #expect(workers.name == "worker-a")
    }

    @Test(arguments: [
        ("DARKROOM_WORKER_CONCURRENCY", "0"),
        ("DARKROOM_JOB_MAX_DELIVERIES", "many"),
        ("DARKROOM_OUTBOX_RETENTION_HOURS", "0"),
        ("DARKROOM_JOB_RETRY_MAX_MS", "5"),
    ])
    func rejectsBadValuesNamingTheVariable(name: String, value: String) {
        do {
            _ = try DarkroomConfiguration(environment: [name: value])
            Issue.record("\(name)=\(value) must be refused")
        } catch {
            #expect(error.message.contains(name))
        }
    }
}
