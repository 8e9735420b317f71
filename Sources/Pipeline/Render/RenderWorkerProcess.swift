#if canImport(Glibc)
import Glibc
#endif
import Imaging
import NIOCore

/// One `darkroom render-worker` child and the server's end of its socket. Handed to one render at a time by
/// `RenderWorkerPool`; every method blocks, so it is only called on `NIOThreadPool` threads.
final class RenderWorkerProcess: @unchecked Sendable {
    let pid: pid_t
    private let socket: RenderSocket

    /// How a worker stopped serving; `reason` labels `darkroom_render_worker_crashes_total`.
    struct Failure: Error, CustomStringConvertible {
        enum Reason: String { case signal, exit, deadline, protocolError = "protocol" }
        var reason: Reason
        var description: String
    }

    private init(pid: pid_t, socket: RenderSocket) {
        self.pid = pid
        self.socket = socket
    }

    /// Starts a worker and waits for its hello (its limits set and libvips up) at most `startTimeout`.
    static func spawn(_ settings: RenderWorkerSettings) throws(PipelineError) -> RenderWorkerProcess {
        var pair: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0 else {
            throw PipelineError(.unavailable, "render worker socketpair: errno \(errno)")
        }
        let ours = pair[0]
        // dup2 onto the same fd would keep close-on-exec: move the worker's end off fd 3 first if it landed there.
        let theirs = pair[1] == RenderWorkerSettings.workerSocketFD ? fcntl(pair[1], F_DUPFD_CLOEXEC, 4) : pair[1]
        defer {
            close(theirs)
            if theirs != pair[1] { close(pair[1]) }
        }

        // The worker's end becomes its fd 3 (dup2 clears close-on-exec there). Every other descriptor of ours is
        // close-on-exec, another worker's socket included: a worker's death must show as EOF on its own socket.
        let pid: pid_t
        do throws(ProcessSpawner.SpawnError) {
            pid = try ProcessSpawner.spawn(
                settings.executable, settings.arguments, environment: settings.environment,
                passing: (theirs, RenderWorkerSettings.workerSocketFD))
        } catch {
            close(ours)
            throw PipelineError(.unavailable, "render worker \(settings.executable): \(error)")
        }
        let worker = RenderWorkerProcess(pid: pid, socket: RenderSocket(fd: ours))
        do throws(RenderSocket.Failure) {
            let hello = try RenderWorkMessage.header(
                RenderWorkMessage.Hello.self, of: try worker.socket.read(deadline: .now + settings.startTimeout))
            guard hello == RenderWorkMessage.Hello() else { throw .malformed("hello \(hello)") }
        } catch {
            let ended = worker.stop()
            throw PipelineError(.unavailable, "render worker \(settings.executable) did not start: \(error), \(ended)")
        }
        return worker
    }

    /// Sends one render and waits for its reply until `deadline`. On any failure the worker is gone (killed and
    /// reaped) and the error says how it ended.
    func render(_ request: RenderFrame, deadline: ContinuousClock.Instant) throws(Failure) -> RenderFrame {
        do throws(RenderSocket.Failure) {
            try socket.write(request, deadline: deadline)
            return try socket.read(deadline: deadline)
        } catch {
            let ended = stop()
            switch error {
            case .timedOut: throw Failure(reason: .deadline, description: "no reply within the render deadline; \(ended.description)")
            case .malformed(let what): throw Failure(reason: .protocolError, description: "\(what); \(ended.description)")
            case .closed, .system: throw ended
            }
        }
    }

    /// Ends the worker (SIGKILL if it still runs), reaps it and closes the socket; says how it ended.
    @discardableResult
    func stop() -> Failure {
        kill(pid, SIGKILL)
        socket.closeSocket()
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let signal = status & 0x7f
        if signal != 0 {
            return Failure(reason: .signal, description: "render worker \(pid) ended by signal \(signal)")
        }
        return Failure(reason: .exit, description: "render worker \(pid) exited with status \((status >> 8) & 0xff)")
    }

    /// Closes our end of the socket without waiting: the worker exits on EOF. For when no thread is left to reap it.
    func hangUp() {
        socket.closeSocket()
    }

    /// Asks the worker to finish (it exits when its socket closes) and reaps it: a graceful end, for shutdown.
    func finish() {
        socket.closeSocket()
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
    }
}

/// How a pool starts its workers.
struct RenderWorkerSettings: Sendable {
    static let workerSocketFD: Int32 = 3

    var executable: String
    var memoryLimitBytes: Int
    var environment: [String: String]
    var startTimeout: Duration

    var arguments: [String] {
        ["render-worker", "--socket-fd", String(Self.workerSocketFD), "--memory-limit-mb", String(memoryLimitBytes >> 20)]
    }
}
