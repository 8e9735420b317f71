import API
import ArgumentParser
import Foundation
import Logging

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
