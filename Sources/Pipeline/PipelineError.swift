import Imaging

/// The one error type of the Pipeline module.
///
/// `code` is stable and safe to show to a client; `description` carries no detail, `debugDescription` does (for logs).
/// Codes are classified by *which step failed* (sniff, header, limits, decode, encode), never by libvips message text,
/// because libvips has one error buffer shared by all threads.
public struct PipelineError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case emptyFile = "empty_file"
            case unsupportedFormat = "unsupported_format"
            case corruptImage = "corrupt_image"
            case tooManyPixels = "too_many_pixels"
            case unknownFilter = "unknown_filter"
            case renderFailed = "render_failed"
            case unavailable = "unavailable"
            case overloaded = "overloaded"
            case cancelled = "cancelled"
            case invalidRequest = "invalid_request"
            case invalidJob = "invalid_job"
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The upload has no bytes at all.
        public static let emptyFile = Code(.emptyFile)
        /// The magic bytes are not JPEG, PNG, WebP, HEIF/AVIF or GIF (SVG, PDF, TIFF, text, ... or a file renamed to look like one).
        public static let unsupportedFormat = Code(.unsupportedFormat)
        /// An allowed format whose header or pixel data cannot be decoded (truncated, corrupt, unsupported variant).
        public static let corruptImage = Code(.corruptImage)
        /// The header declares more pixels (or a longer side) than `ImageLimits` allows; nothing was decoded.
        public static let tooManyPixels = Code(.tooManyPixels)
        /// The requested filter name is not in `Filter.catalog`.
        public static let unknownFilter = Code(.unknownFilter)
        /// A step after decoding failed (colour conversion, resize, encode): our fault, not the upload's.
        public static let renderFailed = Code(.renderFailed)
        /// libvips could not start, or the thread pool is shut down.
        public static let unavailable = Code(.unavailable)
        /// The megapixel budget stayed full for the whole admission wait: retry later.
        public static let overloaded = Code(.overloaded)
        /// The upload's task was cancelled (its client went away): nobody waits for an answer.
        public static let cancelled = Code(.cancelled)
        /// An upload field (caption, location, crosspost target) broke its rule; `message` says which (safe to show).
        public static let invalidRequest = Code(.invalidRequest)
        /// An async job that can never succeed (its payload does not decode): dead-lettered without retries.
        public static let invalidJob = Code(.invalidJob)

        public var description: String { base.rawValue }
    }

    public var code: Code
    /// Internal detail for logs (libvips' error text, the step); never sent to a client.
    public var message: String
    public var underlying: (any Error)?

    public init(_ code: Code, _ message: String, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    public var description: String { "PipelineError(\(code))" }

    public var debugDescription: String {
        var text = "PipelineError(\(code)): \(message)"
        if let underlying { text += "; underlying: \(String(reflecting: underlying))" }
        return text
    }
}

extension PipelineError {
    /// The image engine's error as the pipeline's: the same code, so clients see the step that failed.
    public init(_ error: ImagingError) {
        let code: Code =
            switch error.code {
            case .emptyFile: .emptyFile
            case .unsupportedFormat: .unsupportedFormat
            case .corruptImage: .corruptImage
            case .tooManyPixels: .tooManyPixels
            case .unknownFilter: .unknownFilter
            case .renderFailed: .renderFailed
            case .unavailable: .unavailable
            }
        self.init(code, error.message, underlying: error)
    }
}
