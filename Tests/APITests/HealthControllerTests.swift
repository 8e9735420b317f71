import Runtime
import API
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct HealthControllerTests {
    struct Down: Error {}

    private func app(_ checks: [any ReadinessCheck], timeout: Duration = .seconds(1)) -> some ApplicationProtocol {
        let router = Router()
        HealthController(checks: checks, timeout: timeout).addRoutes(to: router)
        return Application(router: router)
    }

    @Test func liveAnswersWithoutAskingDependencies() async throws {
        let app = app([ClosureReadinessCheck(name: "redis") { throw Down() }])
        try await app.test(.router) { client in
            try await client.execute(uri: "/health/live", method: .get) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test func readyIs200WhenEveryDependencyAnswers() async throws {
        let app = app([
            ClosureReadinessCheck(name: "postgres-0") {},
            ClosureReadinessCheck(name: "redis") {},
        ])
        try await app.test(.router) { client in
            try await client.execute(uri: "/health/ready", method: .get) { response in
                #expect(response.status == .ok)
                let report = try JSONDecoder().decode(ReadinessReport.self, from: Data(response.body.readableBytesView))
                #expect(report.dependencies["postgres-0"]?.status == "up")
                #expect(report.dependencies["redis"]?.status == "up")
                #expect(report.down == nil)
            }
        }
    }

    @Test func readyIs503AndNamesTheDependencyThatIsDown() async throws {
        let app = app([
            ClosureReadinessCheck(name: "postgres-0") {},
            ClosureReadinessCheck(name: "redis") { throw Down() },
        ])
        try await app.test(.router) { client in
            try await client.execute(uri: "/health/ready", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                let report = try JSONDecoder().decode(ReadinessReport.self, from: Data(response.body.readableBytesView))
                #expect(report.down == ["redis"])
                #expect(report.dependencies["postgres-0"]?.status == "up")
            }
        }
    }

    @Test func aHangingDependencyCountsAsDownAfterTheDeadline() async throws {
        let app = app([ClosureReadinessCheck(name: "object-store") { try await Task.sleep(for: .seconds(30)) }], timeout: .milliseconds(100))
        try await app.test(.router) { client in
            try await client.execute(uri: "/health/ready", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                let report = try JSONDecoder().decode(ReadinessReport.self, from: Data(response.body.readableBytesView))
                #expect(report.dependencies["object-store"] == ReadinessReport.Dependency(status: "down", error: "timeout"))
            }
        }
    }
}
