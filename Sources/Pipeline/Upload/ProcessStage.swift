import NIOCore
import Imaging

/// Process: the image engine, in the render worker pool's processes (never in the server's own: a decoder crash
/// must fail one upload, not the service).
public struct ProcessStage: Sendable {
    public let pool: RenderWorkerPool
    public let configuration: RenderConfiguration

    public init(pool: RenderWorkerPool, configuration: RenderConfiguration = RenderConfiguration()) {
        self.pool = pool
        self.configuration = configuration
    }

    public func process(_ bytes: ByteBuffer, filter: Filter) async throws(PipelineError) -> RenderResult {
        try await pool.render(bytes, filter: filter, configuration: configuration)
    }
}
