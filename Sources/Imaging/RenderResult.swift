/// The encodings a rendition can be written in.
public enum RenditionFormat: String, Sendable, Hashable, CaseIterable, Codable {
    case jpeg
    case webp

    public var fileExtension: String {
        switch self {
        case .jpeg: "jpg"
        case .webp: "webp"
        }
    }

    public var mimeType: String {
        switch self {
        case .jpeg: "image/jpeg"
        case .webp: "image/webp"
        }
    }
}

/// One encoded output: metadata-free, sRGB, upright.
public struct Rendition: Sendable, Hashable {
    /// The preset name (`w1080`, `sq150`).
    public var name: String
    public var format: RenditionFormat
    public var width: Int
    public var height: Int
    public var bytes: [UInt8]

    public init(name: String, format: RenditionFormat, width: Int, height: Int, bytes: [UInt8]) {
        self.name = name
        self.format = format
        self.width = width
        self.height = height
        self.bytes = bytes
    }
}

/// Everything one render produces.
public struct RenderResult: Sendable {
    public var facts: ImageFacts
    /// In preset order; for each preset, one per configured format (JPEG first).
    public var renditions: [Rendition]

    public init(facts: ImageFacts, renditions: [Rendition]) {
        self.facts = facts
        self.renditions = renditions
    }
}
