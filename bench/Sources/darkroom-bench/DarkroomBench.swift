import ArgumentParser
import Runtime

/// `darkroom-bench`: the benchmark harnesses that need Darkroom's stores, kept out of the shipped `darkroom` binary.
@main
struct DarkroomBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "darkroom-bench",
        abstract: "Darkroom's benchmark harnesses (run through `make bench`; see bench/README.md).",
        subcommands: [BenchSocialCommand.self]
    )

    static func main() async {
        await ProcessSetup.run(DarkroomBench.self)
    }
}
