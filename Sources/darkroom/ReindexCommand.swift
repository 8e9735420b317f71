import ArgumentParser
import Foundation
import Logging
import Runtime
import Storage

/// `darkroom reindex geo`: rebuilds derived indexes from PostgreSQL.
struct ReindexCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reindex",
        abstract: "Rebuild a Redis index from the shards (when Redis lost it).",
        discussion: """
            geo: every live located media into the place index, deleted ones out. Idempotent, and safe while the \
            service runs: it writes in place and never empties the index. One progress line per shard on stderr.
            """
    )

    enum Index: String, ExpressibleByArgument, CaseIterable {
        case geo
    }

    @Argument(help: "The index to rebuild: geo.")
    var index: Index

    func run() async throws {
        let (_, logger, dependencies) = try ProcessSetup.start("darkroom.reindex")
        let reindexer = GeoReindexer(postgres: dependencies.postgres, index: GeoIndex(redis: dependencies.redis))
        do {
            let done = try await ProcessSetup.withRunning(dependencies, logger: logger) {
                try await reindexer.run(logger: logger) { progress in
                    FileHandle.standardError.write(Data("\(progress)\n".utf8))
                }
            }
            print(done)
        } catch {
            logger.error("reindex failed", metadata: ["error": "\(String(reflecting: error))"])
            throw ExitCode.failure
        }
    }
}
