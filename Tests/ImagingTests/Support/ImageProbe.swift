import CVips
import NIOPosix
@testable import Imaging

/// Decodes an encoded image (a rendition) through the same allow-listed loaders and reports what a client would see.
struct ImageProbe: Sendable {
    var width: Int
    var height: Int
    var bands: Int
    var isSRGB: Bool
    var isUChar: Bool
    var fields: [String]
    /// `jpeg-multiscan` (progressive) for JPEGs.
    var progressive: Bool
    /// Flattened on white, 3-band sRGB, resized to 48×36 with separate scales (the testimages README's measure).
    var thumbnail: [UInt8]

    static let thumbnailSize = (width: 48, height: 36)

    static func inspect(_ bytes: [UInt8]) async throws -> ImageProbe {
        try await NIOThreadPool.singleton.runIfActive { try inspectBlocking(bytes) }
    }

    static func inspectBlocking(_ bytes: [UInt8]) throws -> ImageProbe {
        try Vips.initialize()
        return try bytes.withUnsafeBytes { input in
            guard let format = ImageFormat.sniff(input) else { throw ImagingError(.unsupportedFormat, "probe") }
            let image = try ImageDecoder.open(input, as: format).materialized(.corruptImage, "probe decode")
            var flat = image
            if flat.hasAlpha { flat = try flat.then(.renderFailed, "flatten") { cvips_flatten_white($0, $1) } }
            flat = try ColourNormaliser.toSRGB(flat, profile: nil)
            let small = try Resampler.resize(flat, width: thumbnailSize.width, height: thumbnailSize.height)
            return ImageProbe(
                width: image.width, height: image.height, bands: image.bands,
                isSRGB: image.interpretation == VIPS_INTERPRETATION_sRGB, isUChar: image.isUChar,
                fields: image.fieldNames, progressive: image.int("jpeg-multiscan") == 1,
                thumbnail: try small.pixelBytes(.renderFailed, "probe pixels"))
        }
    }

    /// Metadata a rendition must never carry.
    var forbiddenFields: [String] {
        fields.filter { name in
            ["exif", "xmp", "iptc", "icc-profile", "orientation", "gps", "comment"].contains { name.contains($0) }
        }
    }

    /// Max over pixels of the mean absolute difference over the 3 bands, in levels.
    func maxDiff(_ other: ImageProbe) -> Double {
        Self.maxDiff(thumbnail, other.thumbnail)
    }

    static func maxDiff(_ a: [UInt8], _ b: [UInt8]) -> Double {
        precondition(a.count == b.count, "thumbnails differ in size")
        var worst = 0.0
        for pixel in stride(from: 0, to: a.count, by: 3) {
            let sum = (0..<3).reduce(0) { $0 + abs(Int(a[pixel + $1]) - Int(b[pixel + $1])) }
            worst = max(worst, Double(sum) / 3)
        }
        return worst
    }

    /// Mean over pixels and bands, in levels: for "did anything change" questions.
    static func meanDiff(_ a: [UInt8], _ b: [UInt8]) -> Double {
        precondition(a.count == b.count, "thumbnails differ in size")
        let total = zip(a, b).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) }
        return Double(total) / Double(max(a.count, 1))
    }
}

/// Renders on the thread pool and times only the render itself (not the wait for a pool thread), for the test log.
func timedRender(_ bytes: [UInt8]) async throws -> (result: Result<RenderResult, ImagingError>, elapsed: Duration) {
    try await NIOThreadPool.singleton.runIfActive {
        let start = ContinuousClock.now
        let result = Result { () throws(ImagingError) in try ImageEngine.renderBlocking(bytes) }
        return (result, ContinuousClock.now - start)
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
