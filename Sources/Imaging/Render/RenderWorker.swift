#if canImport(Glibc)
import Glibc
#endif
import NIOCore

/// The worker side of render isolation (`darkroom render-worker`): renders uploads sent over a socket, one at a
/// time, until the server closes it. Only the image engine runs here (this file is in `Imaging`): no Storage, no API, no network.
///
/// libvips and libheif abort the process on an internal assertion and have a history of memory-safety bugs, so
/// untrusted pixels are decoded only in these processes; the worst an upload can do is end one of them.
public enum RenderWorker {
    /// **Test only.** When set (non-empty) in a worker's environment, a request whose bytes contain this text makes
    /// the worker abort (SIGABRT) before rendering, as a libvips assertion would. Only tests set it, on the pool's
    /// child environment; no request can set a worker's environment, so production never reaches it.
    public static let testCrashMarkerVariable = "DARKROOM_RENDER_WORKER_TEST_CRASH_MARKER"

    /// Serves on `socketFD` until the peer closes it; returns the process' exit status.
    public static func serve(socketFD: Int32, memoryLimitBytes: Int?, environment: [String: String]) -> Int32 {
        let socket = RenderSocket(fd: socketFD)
        if let memoryLimitBytes {
            // Address space, not RSS: the only limit the kernel enforces per process without cgroups. A decode that
            // goes past it fails its allocation (an error, or at worst this process' death), never the server's.
            var limit = rlimit(rlim_cur: rlim_t(memoryLimitBytes), rlim_max: rlim_t(memoryLimitBytes))
            guard setrlimit(__rlimit_resource_t(RLIMIT_AS.rawValue), &limit) == 0 else { return 71 }
        }
        guard (try? Vips.initialize()) != nil else { return 70 }
        let crashMarker = environment[testCrashMarkerVariable].flatMap { $0.isEmpty ? nil : Array($0.utf8) }
        do throws(RenderSocket.Failure) {
            try socket.write(RenderWorkMessage.frame(RenderWorkMessage.Hello()))
            var cpuMark = ProcessClock.cpuMilliseconds()
            while true {
                let frame: RenderFrame
                do throws(RenderSocket.Failure) {
                    frame = try socket.read()
                } catch .closed {
                    return 0
                }
                let request = try RenderWorkMessage.header(RenderWorkMessage.Request.self, of: frame)
                if let crashMarker, frame.body.readableBytesView.firstRange(of: crashMarker) != nil { abort() }
                let outcome = render(frame.body, request)
                let now = ProcessClock.cpuMilliseconds()
                let reply = RenderWorkMessage.reply(outcome, cpuMilliseconds: now - cpuMark)
                cpuMark = now
                try socket.write(reply)
            }
        } catch {
            // A broken frame or a vanished server: nothing to answer; the server replaces this process.
            return 1
        }
    }

    static func render(_ bytes: ByteBuffer, _ request: RenderWorkMessage.Request) -> Result<RenderResult, ImagingError> {
        let filter: Filter
        do throws(ImagingError) { filter = try Filter.named(request.filter) } catch { return .failure(error) }
        return bytes.withUnsafeReadableBytes { input in
            do throws(ImagingError) {
                return .success(try ImageEngine.renderBlocking(input, filter: filter, configuration: request.configuration))
            } catch {
                return .failure(error)
            }
        }
    }
}
