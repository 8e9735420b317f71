import CoreMetrics
import Imaging
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// A small supervised pool of `darkroom render-worker` processes: the only place the service decodes upload pixels.
///
/// A render that kills its worker (a libvips/libheif abort, a memory-safety bug, the memory limit) or overruns its
/// deadline fails that upload alone with `corrupt_image`; the worker is replaced and
/// `darkroom_render_worker_crashes_total{reason}` counts it. Workers start on demand up to `size` (one is started
/// when the service runs) and are reused; when all are busy for `maxWait`, the render is refused with `overloaded`.
/// Admission (memory) stays with the `MegapixelBudget`, ahead of this pool.
public actor RenderWorkerPool: Service {
    public struct Configuration: Sendable {
        /// Workers at most (`DARKROOM_RENDER_WORKERS`).
        public var size: Int
        /// The `darkroom` binary to run as `render-worker` (`DARKROOM_RENDER_WORKER_EXECUTABLE`; default this process').
        public var executable: String
        /// Address-space limit of each worker (`DARKROOM_RENDER_WORKER_MEMORY_MB`).
        public var memoryLimitBytes: Int
        /// Longest one render may take before its worker is killed (`DARKROOM_RENDER_WORKER_DEADLINE_MS`).
        public var renderDeadline: Duration
        /// Longest a render waits for a free worker before `overloaded` (`DARKROOM_RENDER_WORKER_WAIT_MS`).
        public var maxWait: Duration
        /// Longest a new worker may take to say hello.
        public var startTimeout: Duration
        /// Extra environment for the workers (tests set `RenderWorker.testCrashMarkerVariable` here).
        public var extraEnvironment: [String: String]

        public init(
            size: Int = 4, executable: String = "/proc/self/exe", memoryLimitBytes: Int = 2048 << 20,
            renderDeadline: Duration = .seconds(30), maxWait: Duration = .seconds(10), startTimeout: Duration = .seconds(30),
            extraEnvironment: [String: String] = [:]
        ) {
            self.size = size
            self.executable = executable
            self.memoryLimitBytes = memoryLimitBytes
            self.renderDeadline = renderDeadline
            self.maxWait = maxWait
            self.startTimeout = startTimeout
            self.extraEnvironment = extraEnvironment
        }
    }

    public nonisolated let configuration: Configuration
    /// The pool's own threads for its blocking socket I/O, spawns and reaps: one per worker, so a busy or starting
    /// worker never waits for a thread, and renders never hold the threads other blocking work needs.
    private nonisolated let threads: NIOThreadPool
    private let settings: RenderWorkerSettings
    private let logger: Logger
    private let metrics: any MetricsFactory
    private var idle: [RenderWorkerProcess] = []
    /// Workers alive or being started (idle + busy + starting); never above `configuration.size`.
    private var live = 0
    private var waiters: [Waiter] = []
    private var nextTicket = 0
    private var closed = false
    /// Workers started since the pool began (replacements included): tests see a crashed worker replaced.
    public private(set) var started = 0
    /// Workers lost to a crash or overrun.
    public private(set) var crashes = 0
    /// Workers rendering (or starting) now.
    public var busy: Int { live - idle.count }

    private enum Grant { case worker(RenderWorkerProcess), startOne, refused }
    private struct Waiter {
        var ticket: Int
        var continuation: CheckedContinuation<Grant, Never>
    }

    public init(
        configuration: Configuration, environment: [String: String], logger: Logger, metrics: any MetricsFactory = MetricsSystem.factory
    ) {
        precondition(configuration.size > 0, "a render worker pool needs at least one worker")
        self.configuration = configuration
        settings = RenderWorkerSettings(
            executable: configuration.executable, memoryLimitBytes: configuration.memoryLimitBytes,
            environment: environment.merging(configuration.extraEnvironment) { $1 }, startTimeout: configuration.startTimeout)
        self.logger = logger
        self.metrics = metrics
        threads = NIOThreadPool(numberOfThreads: configuration.size)
        threads.start()
    }

    /// Renders `bytes` in a worker: the result, or the engine's own error for the upload, or `corrupt_image` when the
    /// worker crashed or overran, `overloaded` when no worker came free in time, `unavailable` when none can start.
    public func render(_ bytes: ByteBuffer, filter: Filter, configuration render: RenderConfiguration) async throws(PipelineError) -> RenderResult {
        try await renderMeasured(bytes, filter: filter, configuration: render).result
    }

    /// `render`, with the CPU the worker spent on it (user + system, milliseconds): for `darkroom render --isolated`.
    public func renderMeasured(
        _ bytes: ByteBuffer, filter: Filter, configuration render: RenderConfiguration
    ) async throws(PipelineError) -> (result: RenderResult, workerCPUMilliseconds: Double) {
        let worker = try await acquire()
        let request = RenderWorkMessage.frame(RenderWorkMessage.Request(filter: filter.name, configuration: render), body: bytes)
        let deadline = ContinuousClock.now + configuration.renderDeadline
        let exchanged: Result<RenderFrame, RenderWorkerProcess.Failure>
        do {
            exchanged = try await threads.runIfActive {
                do throws(RenderWorkerProcess.Failure) {
                    return .success(try worker.render(request, deadline: deadline))
                } catch {
                    return .failure(error)
                }
            }
        } catch {
            // The thread pool is shutting down: the request never reached the worker.
            release(worker)
            throw PipelineError(.unavailable, "thread pool refused the render", underlying: error)
        }
        switch exchanged {
        case .success(let reply):
            let outcome: Result<RenderResult, ImagingError>
            let cpu: Double
            do throws(RenderSocket.Failure) {
                (outcome, cpu) = try RenderWorkMessage.outcome(of: reply)
            } catch {
                // A reply we cannot read: the worker is not to be trusted with another upload.
                let failure = RenderWorkerProcess.Failure(reason: .protocolError, description: "\(error)")
                await lost(worker, failure, stopping: true)
                throw PipelineError(.corruptImage, "render worker: \(failure)")
            }
            release(worker)
            switch outcome {
            case .success(let result): return (result, cpu)
            case .failure(let error): throw PipelineError(error)
            }
        case .failure(let failure):
            await lost(worker, failure)
            throw PipelineError(.corruptImage, "render worker: \(failure)")
        }
    }

    // MARK: - Workers

    private func acquire() async throws(PipelineError) -> RenderWorkerProcess {
        guard !closed else { throw PipelineError(.unavailable, "render worker pool is shut down") }
        if let worker = idle.popLast() { return worker }
        var grant = Grant.startOne
        if live < configuration.size {
            live += 1
        } else {
            nextTicket += 1
            let ticket = nextTicket
            let wait = configuration.maxWait
            grant = await withCheckedContinuation { continuation in
                waiters.append(Waiter(ticket: ticket, continuation: continuation))
                Task { [weak self] in
                    try? await Task.sleep(for: wait)
                    await self?.expire(ticket)
                }
            }
        }
        switch grant {
        case .worker(let worker): return worker
        case .refused: throw PipelineError(.overloaded, "every render worker stayed busy for \(configuration.maxWait)")
        case .startOne:
            do throws(PipelineError) {
                return try await start()
            } catch {
                live -= 1
                handOnSlot()
                throw error
            }
        }
    }

    /// Starts one worker (the caller holds its slot in `live`).
    private func start() async throws(PipelineError) -> RenderWorkerProcess {
        let settings = self.settings
        let result: Result<RenderWorkerProcess, PipelineError>
        do {
            result = try await threads.runIfActive {
                do throws(PipelineError) { return .success(try RenderWorkerProcess.spawn(settings)) } catch { return .failure(error) }
            }
        } catch {
            throw PipelineError(.unavailable, "thread pool refused to start a render worker", underlying: error)
        }
        let worker = try result.get()
        started += 1
        logger.debug("render worker started", metadata: ["pid": "\(worker.pid)"])
        return worker
    }

    private func release(_ worker: RenderWorkerProcess) {
        if closed {
            live -= 1
            Task { await self.finish([worker]) }
        } else if !waiters.isEmpty {
            waiters.removeFirst().continuation.resume(returning: .worker(worker))
        } else {
            idle.append(worker)
        }
    }

    /// A worker died or overran (reaped already, or now with `stopping`): count it and put a fresh one in its place.
    private func lost(_ worker: RenderWorkerProcess, _ failure: RenderWorkerProcess.Failure, stopping: Bool = false) async {
        if stopping { _ = try? await threads.runIfActive { worker.stop() } }
        crashes += 1
        Counter(label: "darkroom_render_worker_crashes_total", dimensions: [("reason", failure.reason.rawValue)], factory: metrics).increment()
        logger.error("render worker lost; replacing it", metadata: ["pid": "\(worker.pid)", "failure": "\(failure)"])
        guard !closed else {
            live -= 1
            return
        }
        do throws(PipelineError) {
            let replacement = try await start()
            release(replacement)
        } catch {
            live -= 1
            handOnSlot()
            logger.error("render worker could not be replaced", metadata: ["error": "\(String(reflecting: error))"])
        }
    }

    /// A slot came free without a worker: the first waiter may start one.
    private func handOnSlot() {
        guard !waiters.isEmpty, live < configuration.size else { return }
        live += 1
        waiters.removeFirst().continuation.resume(returning: .startOne)
    }

    private func expire(_ ticket: Int) {
        guard let index = waiters.firstIndex(where: { $0.ticket == ticket }) else { return }
        waiters.remove(at: index).continuation.resume(returning: .refused)
    }

    // MARK: - Service

    /// Starts one worker ahead of the first upload, then runs until graceful shutdown and ends every idle worker
    /// (a busy one ends when its render returns).
    public func run() async throws {
        if live == 0 && !closed {
            live += 1
            do throws(PipelineError) {
                release(try await start())
            } catch {
                live -= 1
                logger.error("render worker did not start", metadata: ["error": "\(String(reflecting: error))"])
            }
        }
        // Returns at graceful shutdown (or cancellation): the upload path has drained by then.
        try? await gracefulShutdown()
        await shutdown()
    }

    /// Refuses new renders, ends every idle worker and waits until they are reaped (a busy one ends when its render
    /// returns).
    public func shutdown() async {
        closed = true
        let ending = idle
        idle = []
        live -= ending.count
        for waiter in waiters { waiter.continuation.resume(returning: .refused) }
        waiters = []
        await finish(ending)
        // A render still in flight finds the threads gone; `finish` then hangs up on its worker instead.
        try? await threads.shutdownGracefully()
    }

    private nonisolated func finish(_ workers: [RenderWorkerProcess]) async {
        guard !workers.isEmpty else { return }
        // Blocking waitpid: on the pool's threads. A render that outlived `shutdown()` finds them gone: then only
        // hang up, and the worker exits on EOF instead of waiting on an open socket for ever.
        let reaped = (try? await threads.runIfActive { workers.forEach { $0.finish() } }) != nil
        if !reaped { workers.forEach { $0.hangUp() } }
    }
}
