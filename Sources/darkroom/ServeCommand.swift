import API
import Runtime
import ArgumentParser
import Logging
import Pipeline
import ServiceLifecycle
import Storage
import UnixSignals

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the HTTP API on DARKROOM_HTTP_HOST:DARKROOM_HTTP_PORT; SIGTERM or SIGINT shut down gracefully.",
        discussion: "With --role all (the default) the process also runs every stage's workers and the outbox relay."
    )

    enum Role: String, ExpressibleByArgument, CaseIterable {
        /// HTTP only.
        case api
        /// HTTP, workers and the outbox relay.
        case all
    }

    @Option(name: .long, help: "api: HTTP only; all: HTTP plus the workers and the outbox relay.")
    var role: Role = .all

    func run() async throws {
        let (configuration, logger, dependencies) = try ProcessSetup.start("darkroom")
        let metrics = DarkroomMetrics()
        metrics.bootstrapMetricsSystem()
        let media = MediaServices(
            dependencies: dependencies, configuration: configuration, metrics: UploadMetrics(factory: metrics.factory), logger: logger,
            metricsFactory: metrics.factory)
        let app = buildApplication(
            configuration: configuration,
            readinessChecks: dependencies.readinessChecks,
            logger: logger,
            accounts: AccountServices(dependencies: dependencies, configuration: configuration),
            media: media,
            metrics: metrics,
            social: SocialServices(dependencies: dependencies, configuration: configuration)
        )
        var services = dependencies.services
        if role == .all {
            do {
                services += try WorkerRuntime(stages: nil, configuration: configuration, dependencies: dependencies, logger: logger).services
            } catch {
                throw ProcessSetup.configurationFailure(error)
            }
        }
        // Last in the list = first to stop: the API stops taking requests before the workers drain, and the render
        // workers end after the uploads in flight.
        services.append(media.renderPool)
        services.append(app)
        let group = ServiceGroup(
            configuration: .init(
                services: services,
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        try await group.run()
    }
}
