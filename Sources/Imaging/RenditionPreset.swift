/// One output size. The preset table lives in configuration (`RenderConfiguration.presets`).
public struct RenditionPreset: Sendable, Hashable, Codable {
    public enum Shape: Sendable, Hashable, Codable {
        /// Scale to this width, height by aspect ratio.
        case width(Int)
        /// Scale so the short side fits, then crop a square with libvips' attention (saliency) crop.
        case square(Int)
    }

    /// Stable name used in object keys and JSON (`w1080`, `sq150`).
    public var name: String
    public var shape: Shape

    public init(name: String, shape: Shape) {
        self.name = name
        self.shape = shape
    }

    public static func width(_ width: Int) -> RenditionPreset { .init(name: "w\(width)", shape: .width(width)) }
    public static func square(_ side: Int) -> RenditionPreset { .init(name: "sq\(side)", shape: .square(side)) }

    /// 1080, 640 and 320 wide, and a 150×150 smart-cropped square.
    public static let defaults: [RenditionPreset] = [.width(1080), .width(640), .width(320), .square(150)]

    /// Output size for an upright source of `width`×`height`. Never upscales: a 500-px photo gives at most 500 px.
    func outputSize(sourceWidth width: Int, sourceHeight height: Int) -> (width: Int, height: Int) {
        switch shape {
        case .width(let target):
            guard width > target else { return (width, height) }
            return (target, max(1, Int((Double(height) * Double(target) / Double(width)).rounded())))
        case .square(let side):
            let fitted = min(side, width, height)
            return (fitted, fitted)
        }
    }

    /// Scale factor from the upright source this rendition needs (≤ 1).
    func scale(sourceWidth width: Int, sourceHeight height: Int) -> Double {
        switch shape {
        case .width(let target): min(1, Double(target) / Double(width))
        case .square(let side): min(1, Double(side) / Double(min(width, height)))
        }
    }
}
