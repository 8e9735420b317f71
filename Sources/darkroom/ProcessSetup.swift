import API
import ArgumentParser
import Foundation
import Logging
import NIOCore
import NIOPosix

enum ProcessSetup {
    /// Reads the configuration or stops start-up with a message that names the variable (exit code 78, EX_CONFIG).
    static func configuration() throws -> DarkroomConfiguration {
        do {
            return try DarkroomConfiguration(environment: ProcessInfo.processInfo.environment)
        } catch {
            FileHandle.standardError.write(Data("darkroom: invalid configuration: \(error.message)\n".utf8))
            throw ExitCode(78)
        }
    }

    /// The configuration, a logger and the shared clients, or exit 78 naming what is wrong.
    static func start(_ label: String) throws -> (DarkroomConfiguration, Logger, DarkroomDependencies) {
        let configuration = try configuration()
        let logger = logger(label, level: configuration.logLevel)
        // Blocking hiredis and libvips calls share NIOThreadPool.singleton; one thread per core (its default) would
        // let a few slow renders stall every Redis call. Must be set before the pool is first used.
        if ProcessInfo.processInfo.environment["NIO_SINGLETON_BLOCKING_POOL_THREAD_COUNT"] == nil {
            NIOSingletons.blockingPoolThreadCountSuggestion = System.coreCount + configuration.redis.poolSize
        }
        do {
            return (configuration, logger, try DarkroomDependencies(configuration: configuration, logger: logger))
        } catch {
            FileHandle.standardError.write(Data("darkroom: invalid configuration: \(error.message)\n".utf8))
            throw ExitCode(78)
        }
    }

    static func logger(_ label: String, level: Logger.Level) -> Logger {
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
