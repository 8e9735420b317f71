#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Pipeline

/// A child process started with a clean signal mask and default signal dispositions.
///
/// Foundation's `Process` passes on the test runner's blocked signals, so a server started through it ignores
/// SIGTERM; the tests that stop servers or send SIGTERM need children that behave as they would under a shell.
final class ChildProcess: @unchecked Sendable {
    let pid: pid_t
    private var exitStatus: Int32?

    init(_ executable: String, _ arguments: [String], environment: [String: String]) throws {
        do throws(ProcessSpawner.SpawnError) {
            pid = try ProcessSpawner.spawn(executable, arguments, environment: environment)
        } catch {
            throw POSIXError(POSIXErrorCode(rawValue: error.errno) ?? .EINVAL)
        }
    }

    func signal(_ signal: Int32) {
        kill(pid, signal)
    }

    /// Waits for the child without blocking a cooperative thread for long: polls with WNOHANG.
    /// Returns the exit code, or 128 + signal number when a signal ended it; nil when `timeout` passed first.
    func waitForExit(timeout: Duration) async throws -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let exitStatus { return exitStatus }
            var status: Int32 = 0
            let rc = waitpid(pid, &status, WNOHANG)
            if rc == pid {
                let code = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
                exitStatus = code
                return code
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    /// Runs a command to completion and returns its exit code.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String], timeout: Duration) async throws -> Int32? {
        let child = try ChildProcess(executable, arguments, environment: environment)
        let code = try await child.waitForExit(timeout: timeout)
        if code == nil { child.signal(SIGKILL) }
        return code
    }
}
