import API
import ArgumentParser
import Logging
import ServiceLifecycle
import UnixSignals

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the HTTP API on DARKROOM_HTTP_HOST:DARKROOM_HTTP_PORT; SIGTERM or SIGINT shut down gracefully."
    )

    func run() async throws {
        let configuration = try ProcessSetup.configuration()
        let logger = ProcessSetup.logger("darkroom", level: configuration.logLevel)
        let dependencies: DarkroomDependencies
        do {
            dependencies = try DarkroomDependencies(configuration: configuration, logger: logger)
        } catch {
            logger.critical("invalid configuration: \(error.message)")
            throw ExitCode(78)
        }
        let app = buildApplication(configuration: configuration, readinessChecks: dependencies.readinessChecks, logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: dependencies.services + [app],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        try await group.run()
    }
}
