import Runtime
import API
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import ServiceLifecycle
import Testing

/// `/health/ready` against the real stack, with Redis stopped and started again.
@Suite(.serialized, .enabled(if: TestStack.faultTestsEnabled, "fault tests run alone in phase 2 of make test"))
struct ReadinessFaultTests {
    @Test(.timeLimit(.minutes(2)))
    func readyNamesRedisWhileItIsDownAndRecoversAfterRestart() async throws {
        let configuration = try TestStack.configuration()
        let logger = Logger(label: "test.readiness")
        let dependencies = try DarkroomDependencies(configuration: configuration, logger: logger)
        let app = buildApplication(configuration: configuration, readinessChecks: dependencies.readinessChecks, logger: logger)

        try await withThrowingTaskGroup(of: Void.self) { group in
            let services = ServiceGroup(configuration: .init(services: dependencies.services, logger: logger))
            group.addTask { try await services.run() }
            defer { group.cancelAll() }

            try await app.test(.router) { client in
                try await client.execute(uri: "/health/ready", method: .get) { response in
                    #expect(response.status == .ok)
                }
                try await TestStack.withStopped(.redis) {
                    try await client.execute(uri: "/health/ready", method: .get) { response in
                        #expect(response.status == .serviceUnavailable)
                        let report = try JSONDecoder().decode(ReadinessReport.self, from: Data(response.body.readableBytesView))
                        #expect(report.down == ["redis"])
                        #expect(report.dependencies["postgres-0"]?.status == "up")
                        #expect(report.dependencies["postgres-1"]?.status == "up")
                        #expect(report.dependencies["object-store"]?.status == "up")
                    }
                }
                try await client.execute(uri: "/health/ready", method: .get) { response in
                    #expect(response.status == .ok)
                }
            }
            await services.triggerGracefulShutdown()
        }
    }
}
