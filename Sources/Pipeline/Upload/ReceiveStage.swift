import NIOCore
import NIOPosix
import Imaging
import Storage

/// Receive: sniff, header-only size check and the digests of the bytes (SHA-256 and S3's MD5 in one pass, so the
/// original is hashed once for dedup, its key and its PUT), all on the thread pool (a 12-MP JPEG takes ~20 ms to
/// hash), then admission against the megapixel budget. Nothing here decodes a pixel.
public struct ReceiveStage: Sendable {
    public let limits: ImageLimits
    public let budget: MegapixelBudget
    /// How long an upload may wait for its share of the budget before it is refused.
    public let admissionWait: Duration

    public init(limits: ImageLimits, budget: MegapixelBudget, admissionWait: Duration) {
        self.limits = limits
        self.budget = budget
        self.admissionWait = admissionWait
    }

    /// Checks the bytes; throws the upload's fault (`empty_file`, `unsupported_format`, `corrupt_image`,
    /// `too_many_pixels`).
    public func inspect(_ bytes: ByteBuffer) async throws(PipelineError) -> ReceivedUpload {
        let limits = self.limits
        do {
            return try await NIOThreadPool.singleton.runIfActive {
                try bytes.withUnsafeReadableBytes { input throws(ImagingError) in
                    let header = try ImageEngine.probeBlocking(input, limits: limits)
                    return ReceivedUpload(header: header, digest: ObjectDigest(of: input))
                }
            }
        } catch let error as ImagingError {
            throw PipelineError(error)
        } catch is CancellationError {
            throw PipelineError(.cancelled, "upload cancelled before its header check")
        } catch {
            throw PipelineError(.unavailable, "thread pool refused the header check", underlying: error)
        }
    }

    /// Takes the upload's share of the budget (waiting at most `admissionWait`); release it with `budget.release`.
    public func admit(_ upload: ReceivedUpload) async throws(PipelineError) -> Int {
        try await budget.acquire(pixels: upload.header.pixels, maxWait: admissionWait)
    }
}
