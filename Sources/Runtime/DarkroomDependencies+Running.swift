import Logging
import ServiceLifecycle

extension DarkroomDependencies {
    /// Runs the shared clients as services around `body` (a one-shot command's work) and shuts them down properly
    /// when it is done, whether it returned or threw.
    public func whileRunning<T: Sendable>(logger: Logger, _ body: () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self) { group in
            let serviceGroup = ServiceGroup(configuration: .init(services: services, logger: logger))
            group.addTask { try await serviceGroup.run() }
            defer { group.cancelAll() }
            let result: Result<T, any Error>
            do {
                result = .success(try await body())
            } catch {
                result = .failure(error)
            }
            await serviceGroup.triggerGracefulShutdown()
            return try result.get()
        }
    }
}
