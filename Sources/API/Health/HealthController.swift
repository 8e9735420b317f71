import Runtime
import Hummingbird
import Logging
import Storage

/// `/health/live` answers as long as the process serves HTTP; `/health/ready` asks every dependency, concurrently
/// and with a deadline, and answers 503 naming each one that is down.
public struct HealthController: Sendable {
    public let checks: [any ReadinessCheck]
    public let timeout: Duration

    public init(checks: [any ReadinessCheck], timeout: Duration = .seconds(2)) {
        self.checks = checks
        self.timeout = timeout
    }

    public func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        router.get("/health/live") { _, _ in
            ReadinessReport(status: "ok", dependencies: [:])
        }
        router.get("/health/ready") { _, context in
            let report = await self.report(logger: context.logger)
            let status: HTTPResponse.Status = report.isReady ? .ok : .serviceUnavailable
            return EditedResponse(status: status, headers: [.cacheControl: "no-store"], response: report)
        }
    }

    public func report(logger: Logger) async -> ReadinessReport {
        let timeout = self.timeout
        let results = await withTaskGroup(of: (String, String?).self) { group in
            for check in checks {
                group.addTask {
                    do {
                        try await withDeadline(timeout) { try await check.check() }
                        return (check.name, nil)
                    } catch {
                        logger.warning("readiness check failed", metadata: ["dependency": "\(check.name)", "error": "\(String(reflecting: error))"])
                        return (check.name, Self.publicReason(error))
                    }
                }
            }
            var results: [String: String?] = [:]
            for await (name, failure) in group { results[name] = failure }
            return results
        }
        var dependencies: [String: ReadinessReport.Dependency] = [:]
        for (name, failure) in results {
            dependencies[name] = ReadinessReport.Dependency(status: failure == nil ? "up" : "down", error: failure)
        }
        let down = dependencies.filter { $0.value.status != "up" }.keys.sorted()
        return ReadinessReport(status: down.isEmpty ? "ready" : "unavailable", dependencies: dependencies, down: down.isEmpty ? nil : down)
    }

    /// Only a stable code is shown: hosts, SQL and keys stay in the log.
    private static func publicReason(_ error: any Error) -> String {
        if let error = error as? DeadlineExceeded { return error.description }
        if let error = error as? StorageError { return error.code.description }
        return "error"
    }
}

public struct ReadinessReport: ResponseCodable, Sendable, Equatable {
    public struct Dependency: Codable, Sendable, Equatable {
        public var status: String
        public var error: String?

        public init(status: String, error: String?) {
            self.status = status
            self.error = error
        }
    }
    public var status: String
    public var dependencies: [String: Dependency]
    public var down: [String]?

    public var isReady: Bool { status == "ready" || status == "ok" }
}
