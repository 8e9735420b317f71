/// What an upload's header may declare before we refuse to decode it. Checked on the header alone, before any
/// pixel is decoded, so a 100 KB file that claims 4 gigapixels costs microseconds, not gigabytes.
public struct ImageLimits: Sendable, Hashable, Codable {
    /// Largest width × height (of the first frame). Default 50 megapixels (imgproxy's `MAX_SRC_RESOLUTION`).
    public var maxPixels: Int
    /// Longest side in pixels. Default 16,384 (libheif's own limit; no phone camera comes close).
    public var maxSide: Int

    public init(maxPixels: Int = 50_000_000, maxSide: Int = 16_384) {
        self.maxPixels = maxPixels
        self.maxSide = maxSide
    }

    public static let `default` = ImageLimits()

    /// Throws `too_many_pixels` when the declared size is out of bounds.
    public func check(width: Int, height: Int) throws(ImagingError) {
        guard width > 0, height > 0 else {
            throw ImagingError(.corruptImage, "header declares \(width)x\(height)")
        }
        guard width <= maxSide, height <= maxSide else {
            throw ImagingError(.tooManyPixels, "header declares \(width)x\(height), longest side allowed \(maxSide)")
        }
        let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
        guard !overflow, pixels <= maxPixels else {
            throw ImagingError(.tooManyPixels, "header declares \(width)x\(height), at most \(maxPixels) pixels allowed")
        }
    }
}
