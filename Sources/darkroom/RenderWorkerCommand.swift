import ArgumentParser
import Foundation
import Imaging

/// `darkroom render-worker`: one render process of the server's pool (started by it, never by hand). Renders the
/// uploads the server sends over the inherited socket until the server closes it.
struct RenderWorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render-worker",
        abstract: "Internal: a render process of the server's worker pool (the server starts it).",
        shouldDisplay: false
    )

    @Option(name: .long, help: "The inherited socket to serve on.")
    var socketFD: Int32 = 3

    @Option(name: .long, help: "Address-space limit in MiB.")
    var memoryLimitMb: Int?

    // Synchronous on purpose: the blocking socket reads run on the main thread, never on the cooperative pool.
    func run() throws {
        let status = RenderWorker.serve(
            socketFD: socketFD, memoryLimitBytes: memoryLimitMb.map { $0 << 20 }, environment: ProcessInfo.processInfo.environment)
        if status != 0 { throw ExitCode(status) }
    }
}
