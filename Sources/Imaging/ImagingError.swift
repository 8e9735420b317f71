/// The one error type of the image engine.
///
/// `code` is stable and says *which step failed* (sniff, header, limits, decode, encode), never libvips' message
/// text, because libvips has one error buffer shared by all threads. `description` carries no detail,
/// `debugDescription` does (for logs).
public struct ImagingError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public enum Code: String, Sendable, CustomStringConvertible {
        /// The input has no bytes at all.
        case emptyFile = "empty_file"
        /// The magic bytes are not JPEG, PNG, WebP, HEIF/AVIF or GIF.
        case unsupportedFormat = "unsupported_format"
        /// An allowed format whose header or pixel data cannot be decoded (truncated, corrupt, unsupported variant).
        case corruptImage = "corrupt_image"
        /// The header declares more pixels (or a longer side) than `ImageLimits` allows; nothing was decoded.
        case tooManyPixels = "too_many_pixels"
        /// The requested filter name is not in `Filter.catalog`.
        case unknownFilter = "unknown_filter"
        /// A step after decoding failed (colour conversion, resize, encode): the engine's fault, not the input's.
        case renderFailed = "render_failed"
        /// libvips could not start, or the thread pool is shut down.
        case unavailable

        public var description: String { rawValue }
    }

    public var code: Code
    /// Internal detail for logs (libvips' error text, the step).
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "ImagingError(\(code))" }
    public var debugDescription: String { "ImagingError(\(code)): \(message)" }
}
