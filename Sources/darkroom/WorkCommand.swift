import Runtime
import ArgumentParser
import Logging
import Pipeline
import ServiceLifecycle
import Storage
import UnixSignals

/// `darkroom work`: the async stages without the HTTP API.
struct WorkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "work",
        abstract: "Run the async-stage workers and the outbox relay; SIGTERM or SIGINT finish jobs in flight, then stop.",
        discussion: "Without --stage, every stage that has a handler runs. Run as many processes as needed."
    )

    @Option(name: .long, help: "A stage to run (repeatable), e.g. --stage feed --stage cleanup.")
    var stage: [String] = []

    @Option(name: .long, help: "Jobs handled at once per stage (default DARKROOM_WORKER_CONCURRENCY).")
    var concurrency: Int?

    func validate() throws {
        if let concurrency, !(1...1024).contains(concurrency) { throw ValidationError("--concurrency must be 1...1024") }
    }

    func run() async throws {
        let (configuration, logger, dependencies) = try ProcessSetup.start("darkroom.work")
        // Recorded into a registry of their own until `darkroom work` serves /metrics.
        ProcessSetup.bootstrapMetrics()
        let runtime: WorkerRuntime
        do {
            runtime = try WorkerRuntime(
                stages: stage.isEmpty ? nil : stage, configuration: configuration, dependencies: dependencies, logger: logger,
                concurrency: concurrency)
        } catch {
            throw ProcessSetup.configurationFailure(error)
        }
        logger.info("workers starting", metadata: ["stages": "\(runtime.workers.map(\.queue.stream.topic.rawValue))"])
        let group = ServiceGroup(
            configuration: .init(
                services: dependencies.services + runtime.services,
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        try await group.run()
    }
}
