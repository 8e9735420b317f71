import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
import Metrics
import Prometheus
import NIOCore
import NIOPosix
import ServiceLifecycle

/// Start-up steps every command shares: malloc tuning, configuration (exit 78 naming a bad variable), logging and the
/// shared clients.
public enum ProcessSetup {
    /// glibc gives every thread that allocates its own malloc arena (up to 8 per core); libvips' and NIO's threads
    /// then hold freed image buffers in many arenas at once. One arena per core cut `darkroom render`'s peak RSS on a
    /// 12-MP photo from 103 MB to 83 MB at no measurable CPU cost. `MALLOC_ARENA_MAX` in the environment still wins.
    public static func limitMallocArenas() {
        #if canImport(Glibc)
        guard ProcessInfo.processInfo.environment["MALLOC_ARENA_MAX"] == nil else { return }
        // <malloc.h> is not part of Swift's Glibc module; mallopt and M_ARENA_MAX (-8) are stable glibc ABI.
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
        let mArenaMax: Int32 = -8
        _ = mallopt(mArenaMax, Int32(max(2, System.coreCount)))
        #endif
    }

    /// The `main` of every Darkroom executable: malloc tuning first, then the parsed subcommand, sync or async.
    public static func run<Command: ParsableCommand>(_ command: Command.Type) async {
        limitMallocArenas()
        do {
            var parsed = try Command.parseAsRoot()
            if var parsed = parsed as? any AsyncParsableCommand {
                try await parsed.run()
            } else {
                try parsed.run()
            }
        } catch {
            Command.exit(withError: error)
        }
    }

    /// Reads the configuration or stops start-up with a message that names the variable (exit code 78, EX_CONFIG).
    public static func configuration() throws -> DarkroomConfiguration {
        do {
            return try DarkroomConfiguration(environment: ProcessInfo.processInfo.environment)
        } catch {
            FileHandle.standardError.write(Data("darkroom: invalid configuration: \(error.message)\n".utf8))
            throw ExitCode(78)
        }
    }

    /// The configuration, a logger and the shared clients, or exit 78 naming what is wrong.
    /// Blocking work has its own bounded pools (each Redis client one thread per connection, bcrypt its own), so
    /// `NIOThreadPool.singleton` keeps its default of one thread per core, for the upload path's in-process work.
    public static func start(_ label: String) throws -> (DarkroomConfiguration, Logger, DarkroomDependencies) {
        let configuration = try configuration()
        let logger = logger(label, level: configuration.logLevel)
        do {
            return (configuration, logger, try DarkroomDependencies(configuration: configuration, logger: logger))
        } catch {
            FileHandle.standardError.write(Data("darkroom: invalid configuration: \(error.message)\n".utf8))
            throw ExitCode(78)
        }
    }

    /// Reports a configuration error found after start-up (e.g. an unknown stage) like ``configuration()`` does.
    public static func configurationFailure(_ error: ConfigurationError) -> ExitCode {
        FileHandle.standardError.write(Data("darkroom: invalid configuration: \(error.message)\n".utf8))
        return ExitCode(78)
    }

    /// Runs the shared clients (they are services) around a one-off command's `body`, and shuts them down properly
    /// when it is done, whatever it did.
    public static func withRunning<T: Sendable>(
        _ dependencies: DarkroomDependencies, logger: Logger, _ body: () async throws -> T
    ) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self) { group in
            let services = ServiceGroup(configuration: .init(services: dependencies.services, logger: logger))
            group.addTask { try await services.run() }
            defer { group.cancelAll() }
            let result: Result<T, any Error>
            do {
                result = .success(try await body())
            } catch {
                result = .failure(error)
            }
            await services.triggerGracefulShutdown()
            return try result.get()
        }
    }

    /// Routes every swift-metrics instrument of the process into a Prometheus registry; returns the registry.
    /// Call once per process: swift-metrics refuses a second bootstrap.
    @discardableResult
    public static func bootstrapMetrics(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) -> PrometheusCollectorRegistry {
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }

    public static func logger(_ label: String, level: Logger.Level) -> Logger {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var logger = Logger(label: label)
        logger.logLevel = level
        return logger
    }
}
