import ArgumentParser
import Runtime

@main
struct Darkroom: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "darkroom",
        abstract: "Darkroom: photo uploads through libvips to S3, metadata in sharded PostgreSQL, fan-out through Redis.",
        discussion: "Configuration comes from DARKROOM_* environment variables (see the README).",
        subcommands: [
            ServeCommand.self, WorkCommand.self, JobsCommand.self, MigrateCommand.self, SweepCommand.self, RenderCommand.self,
            RenderWorkerCommand.self,
        ]
    )

    static func main() async {
        await ProcessSetup.run(Darkroom.self)
    }
}
