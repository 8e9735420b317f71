import Runtime
import API
import Foundation
import Testing

/// The stack `make test` started (`scripts/devstack up test`). Integration tests fail, never skip, without it.
enum TestStack {
    static let environment = ProcessInfo.processInfo.environment

    /// Fault-injection suites stop servers of the shared stack, so `scripts/run-tests` runs them alone, in a second
    /// phase that sets this variable.
    static let faultTestsEnabled = environment["DARKROOM_FAULT_TESTS"] == "1"

    static var name: String {
        get throws {
            try #require(
                environment["DARKROOM_DEVSTACK"],
                "integration tests need the test stack: run `make test`, or `scripts/devstack up test && eval \"$(scripts/devstack env test)\"`"
            )
        }
    }

    static func configuration() throws -> DarkroomConfiguration {
        _ = try name
        return try DarkroomConfiguration(environment: environment)
    }

    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    enum Service: String { case pg0, pg1, redis, seaweedfs }

    static func stop(_ service: Service) async throws { try await devstack("stop", service) }
    static func start(_ service: Service) async throws { try await devstack("start", service) }

    /// Runs `body` with `service` stopped, and starts it again whatever `body` did.
    static func withStopped<T>(_ service: Service, _ body: () async throws -> T) async throws -> T {
        try await stop(service)
        let result: T
        do {
            result = try await body()
        } catch {
            try await start(service)
            throw error
        }
        try await start(service)
        return result
    }

    private static func devstack(_ action: String, _ service: Service) async throws {
        let script = repositoryRoot.appendingPathComponent("scripts/devstack").path
        let code = try await ChildProcess.run(script, [action, try name, service.rawValue], environment: environment, timeout: .seconds(120))
        try #require(code == 0, "scripts/devstack \(action) \(service.rawValue) failed with \(String(describing: code))")
    }
}
