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
        let (configuration, logger, dependencies) = try ProcessSetup.start("darkroom")
        let metrics = DarkroomMetrics()
        metrics.bootstrapMetricsSystem()
        let app = buildApplication(
            configuration: configuration,
            readinessChecks: dependencies.readinessChecks,
            logger: logger,
            accounts: AccountServices(dependencies: dependencies, configuration: configuration),
            metrics: metrics,
            social: SocialServices(dependencies: dependencies, configuration: configuration)
        )
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
