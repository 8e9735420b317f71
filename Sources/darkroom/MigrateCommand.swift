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
        let report = try await ProcessSetup.withRunning(dependencies, logger: logger) {
            let migrator = Migrator()
            do {
                if dryRun { return try await migrator.plan(dependencies.postgres, logger: logger) }
                let report = try await migrator.migrate(dependencies.postgres, logger: logger)
                try await dependencies.objectStore.createBucketIfMissing()
                return report
            } catch {
                logger.critical("migration failed", metadata: ["error": "\(String(reflecting: error))"])
                throw ExitCode.failure
            }
        }
        print(report)
    }
}
