internal import CVips
import NIOCore
import NIOPosix

/// The image engine: untrusted upload bytes in, facts and metadata-free renditions out.
/// The server's ProcessStage and `darkroom render` both use exactly this.
public struct ImageEngine: Sendable {
    public var configuration: RenderConfiguration

    public init(configuration: RenderConfiguration = RenderConfiguration()) {
        self.configuration = configuration
    }

    /// Renders on `NIOThreadPool.singleton`: libvips blocks, so it never runs on an actor or the cooperative pool.
    public func render(_ bytes: [UInt8], filter: Filter = .normal) async throws(ImagingError) -> RenderResult {
        let configuration = self.configuration
        do {
            return try await NIOThreadPool.singleton.runIfActive {
                try Self.renderBlocking(bytes, filter: filter, configuration: configuration)
            }
        } catch let error as ImagingError {
            throw error
        } catch {
            throw ImagingError(.unavailable, "thread pool refused the render: \(error)")
        }
    }

    /// Renders straight from the request body's buffer: no copy of the upload is made.
    public func render(_ buffer: ByteBuffer, filter: Filter = .normal) async throws(ImagingError) -> RenderResult {
        let configuration = self.configuration
        do {
            return try await NIOThreadPool.singleton.runIfActive {
                try buffer.withUnsafeReadableBytes { input throws(ImagingError) in
                    try Self.renderBlocking(input, filter: filter, configuration: configuration)
                }
            }
        } catch let error as ImagingError {
            throw error
        } catch {
            throw ImagingError(.unavailable, "thread pool refused the render: \(error)")
        }
    }

    /// The render itself, synchronously on the calling thread. Only call it from a thread that may block.
    public static func renderBlocking(
        _ bytes: [UInt8], filter: Filter = .normal, configuration: RenderConfiguration = RenderConfiguration()
    ) throws(ImagingError) -> RenderResult {
        let result: Result<RenderResult, ImagingError> = bytes.withUnsafeBytes { input in
            do throws(ImagingError) {
                return .success(try renderBlocking(input, filter: filter, configuration: configuration))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// libvips keeps pointers into `input` while its images live: every image dies before this returns.
    static func renderBlocking(
        _ input: UnsafeRawBufferPointer, filter: Filter, configuration: RenderConfiguration
    ) throws(ImagingError) -> RenderResult {
        try Vips.initialize()
        defer { vips_error_clear() }
        return try RenderJob(input: input, filter: filter, configuration: configuration).run()
    }
}
