import Foundation
import Logging
import NIOCore
import TestSupport
import Testing
import Imaging
@testable import Pipeline

/// The render worker pool with real `darkroom render-worker` processes (the built binary).
@Suite(.timeLimit(.minutes(2)))
struct RenderWorkerPoolTests {
    static let executable = TestCorpus.repositoryRoot.appendingPathComponent(".build/debug/darkroom").path
    static let crashMarker = "DARKROOM-TEST-ABORT-7d1c"

    static func pool(
        size: Int = 1, deadline: Duration = .seconds(60), maxWait: Duration = .seconds(30)
    ) -> RenderWorkerPool {
        RenderWorkerPool(
            configuration: .init(
                size: size, executable: executable, memoryLimitBytes: 2048 << 20, renderDeadline: deadline, maxWait: maxWait,
                extraEnvironment: [RenderWorker.testCrashMarkerVariable: crashMarker]),
            environment: ProcessInfo.processInfo.environment, logger: Logger(label: "test.render-pool"))
    }

    static func project(_ name: String) throws -> ByteBuffer {
        ByteBuffer(bytes: try TestCorpus.bytes(TestCorpus.projectImages.appendingPathComponent(name)))
    }

    @Test("a worker renders exactly what the in-process engine renders", arguments: ["orient_6.jpg", "alpha.png", "tiny_1x1.jpg", "pattern.heic"])
    func sameAsInProcess(_ file: String) async throws {
        let pool = Self.pool()
        let bytes = try Self.project(file)
        let isolated = try await pool.render(bytes, filter: .normal, configuration: RenderConfiguration())
        let local = try await ImageEngine().render(bytes, filter: .normal)
        #expect(isolated.facts == local.facts)
        #expect(isolated.renditions == local.renditions)
        await pool.shutdown()
    }

    @Test("the engine's own rejection passes through and keeps the worker")
    func rejectionKeepsTheWorker() async throws {
        let pool = Self.pool()
        let error = await #expect(throws: PipelineError.self) {
            try await pool.render(try Self.project("not_an_image.jpg"), filter: .normal, configuration: RenderConfiguration())
        }
        #expect(error?.code == .unsupportedFormat)
        _ = try await pool.render(try Self.project("orient_1.jpg"), filter: .normal, configuration: RenderConfiguration())
        #expect(await pool.started == 1)
        #expect(await pool.crashes == 0)
        await pool.shutdown()
    }

    @Test("a worker killed by a signal fails that render with corrupt_image, and a fresh worker takes its place")
    func crashIsContained() async throws {
        let pool = Self.pool()
        var poisoned = try Self.project("orient_1.jpg")
        poisoned.writeString(Self.crashMarker)
        let error = await #expect(throws: PipelineError.self) {
            try await pool.render(poisoned, filter: .normal, configuration: RenderConfiguration())
        }
        #expect(error?.code == .corruptImage)
        #expect(error?.message.contains("signal 6") == true, "\(String(describing: error?.message))")
        #expect(await pool.crashes == 1)
        let after = try await pool.render(try Self.project("orient_1.jpg"), filter: .normal, configuration: RenderConfiguration())
        #expect(after.facts.width == 400)
        #expect(await pool.started == 2, "the dead worker was replaced")
        await pool.shutdown()
    }

    @Test("a render past its deadline kills its worker and fails with corrupt_image")
    func overrunIsContained() async throws {
        // A 400×300 render with 8 renditions takes tens of milliseconds; the reply cannot come within 1 ms.
        let pool = Self.pool(deadline: .milliseconds(1))
        let photo = try Self.project("orient_6.jpg")
        let error = await #expect(throws: PipelineError.self) {
            try await pool.render(photo, filter: .normal, configuration: RenderConfiguration())
        }
        #expect(error?.code == .corruptImage)
        #expect(error?.message.contains("deadline") == true, "\(String(describing: error?.message))")
        #expect(await pool.crashes == 1)
        await pool.shutdown()
    }

    @Test("when every worker stays busy past the wait, the render is refused with overloaded")
    func saturation() async throws {
        let pool = Self.pool(size: 1, maxWait: .zero)
        let photo = try Self.project("orient_6.jpg")
        let first = Task { try await pool.render(photo, filter: .normal, configuration: RenderConfiguration()) }
        while await pool.busy == 0 { try await Task.sleep(for: .milliseconds(1)) }
        let error = await #expect(throws: PipelineError.self) {
            try await pool.render(try Self.project("tiny_1x1.png"), filter: .normal, configuration: RenderConfiguration())
        }
        #expect(error?.code == .overloaded)
        #expect(try await first.value.facts.width == 400)
        await pool.shutdown()
    }
}
