import Runtime
import ArgumentParser
import Logging
import ServiceLifecycle
import Storage

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Bring every PostgreSQL server to the latest schema version and make sure the bucket exists.",
        discussion: "Idempotent: a second run applies nothing. Concurrent runs serialise on an advisory lock."
    )

    @Flag(name: .long, help: "Print what would be applied without changing anything.")
    var dryRun = false

    func run() async throws {
        let (_, logger, dependencies) = try ProcessSetup.start("darkroom.migrate")
        let report = try await withThrowingTaskGroup(of: MigrationReport?.self) { group in
            let services = ServiceGroup(configuration: .init(services: dependencies.services, logger: logger))
            group.addTask {
                try await services.run()
                return nil
            }
            defer { group.cancelAll() }
            let migrator = Migrator()
            let report: MigrationReport
            do {
                if dryRun {
                    report = try await migrator.plan(dependencies.postgres, logger: logger)
                } else {
                    report = try await migrator.migrate(dependencies.postgres, logger: logger)
                    try await dependencies.objectStore.createBucketIfMissing()
                }
            } catch {
                logger.critical("migration failed", metadata: ["error": "\(String(reflecting: error))"])
                await services.triggerGracefulShutdown()
                throw ExitCode.failure
            }
            await services.triggerGracefulShutdown()
            return report
        }
        print(report)
    }
}
