/// How the engine renders; every default is the production setting.
public struct RenderConfiguration: Sendable, Hashable, Codable {
    /// Output sizes. Default: 1080w, 640w, 320w, 150×150 attention-cropped square.
    public var presets: [RenditionPreset]
    /// Encodings written for every preset. Default JPEG and WebP.
    public var formats: [RenditionFormat]
    /// Header limits checked before any decode. Default 50 MP, 16,384 px a side.
    public var limits: ImageLimits
    /// JPEG quality. Default 82.
    public var jpegQuality: Int
    /// JPEGs at least this wide are progressive (they load visibly sooner on slow links). Default 640.
    public var progressiveMinWidth: Int
    /// WebP quality. Default 80.
    public var webpQuality: Int
    /// libwebp effort 0...6. Default 4 (libwebp's own default).
    public var webpEffort: Int

    public init(
        presets: [RenditionPreset] = RenditionPreset.defaults,
        formats: [RenditionFormat] = [.jpeg, .webp],
        limits: ImageLimits = .default,
        jpegQuality: Int = 82,
        progressiveMinWidth: Int = 640,
        webpQuality: Int = 80,
        webpEffort: Int = 4
    ) {
        self.presets = presets
        self.formats = formats
        self.limits = limits
        self.jpegQuality = jpegQuality
        self.progressiveMinWidth = progressiveMinWidth
        self.webpQuality = webpQuality
        self.webpEffort = webpEffort
    }
}
