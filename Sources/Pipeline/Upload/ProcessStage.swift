import NIOCore
import Imaging

/// Process: the image engine, on the thread pool (never an actor or the cooperative pool).
public struct ProcessStage: Sendable {
    public let engine: ImageEngine

    public init(engine: ImageEngine) {
        self.engine = engine
    }

    public func process(_ bytes: ByteBuffer, filter: Filter) async throws(PipelineError) -> RenderResult {
        do {
            return try await engine.render(bytes, filter: filter)
        } catch {
            throw PipelineError(error)
        }
    }
}
