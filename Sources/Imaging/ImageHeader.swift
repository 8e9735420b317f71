internal import CVips

/// What the header of an upload declares, read before any pixel is decoded.
public struct ImageHeader: Sendable, Hashable {
    public var format: ImageFormat
    /// As stored (before orientation): what decoding costs, whatever way up.
    public var width: Int
    public var height: Int

    public var pixels: Int { width * height }
}

extension ImageEngine {
    /// Sniff and header check: `unsupported_format`, `corrupt_image` (no readable header) or `too_many_pixels`
    /// without decoding. Blocking; call from a thread that may block.
    public static func probeBlocking(_ input: UnsafeRawBufferPointer, limits: ImageLimits) throws(ImagingError) -> ImageHeader {
        try Vips.initialize()
        defer { vips_error_clear() }
        guard !input.isEmpty else { throw ImagingError(.emptyFile, "no bytes") }
        guard let format = ImageFormat.sniff(input) else {
            throw ImagingError(.unsupportedFormat, "magic bytes are not JPEG, PNG, WebP, HEIF/AVIF or GIF")
        }
        if format == .heif || format == .avif, let extent = HeifBoxes.largestSpatialExtent(input) {
            try limits.check(width: extent.width, height: extent.height)
        }
        let header = try ImageDecoder.open(input, as: format)
        try limits.check(width: header.width, height: header.height)
        return ImageHeader(format: format, width: header.width, height: header.height)
    }
}
