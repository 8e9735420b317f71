import Runtime
import ArgumentParser
import Foundation
import Logging
import Pipeline
import S3
import Storage

/// `darkroom sweep [--dry-run]`: one pass of the orphan sweeper, by hand.
struct SweepCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Delete media objects older than DARKROOM_SWEEP_GRACE_SECONDS that no live media row points at.",
        discussion: """
            Prints each orphan's key on standard output as it is deleted (with --dry-run: each key that would be), a \
            progress line per listed page on standard error, and a summary line at the end. Exits 1 when the bucket \
            cannot be listed or a delete failed.
            """
    )

    @Flag(name: .long, help: "List the orphans without deleting anything.")
    var dryRun = false

    func run() async throws {
        let (configuration, logger, dependencies) = try ProcessSetup.start("darkroom.sweep")
        let sweeper = OrphanSweeper(dependencies: dependencies, configuration: configuration)
        let start = ContinuousClock.now
        let report = try await ProcessSetup.withRunning(dependencies, logger: logger) {
            do {
                return try await sweeper.sweep(
                    dryRun: dryRun, logger: logger,
                    orphan: { print($0.rawValue) },
                    progress: { Self.standardError("sweep: \($0)") })
            } catch {
                logger.error("sweep failed", metadata: ["error": "\(String(reflecting: error))"])
                throw ExitCode.failure
            }
        }
        let seconds = (ContinuousClock.now - start).timeInterval
        Self.standardError("sweep done\(dryRun ? " (dry run)" : ""): \(report) in \(String(format: "%.2f", seconds)) s")
        if report.failed > 0 { throw ExitCode.failure }
    }

    static func standardError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
