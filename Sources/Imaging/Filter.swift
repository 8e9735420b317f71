/// A named look. Filters are data (a short list of libvips-backed steps), so they are deterministic, cheap to list,
/// and applied once, to the largest rendition's pixels right after the first resize.
public struct Filter: Sendable, Hashable, Identifiable {
    public var name: String
    /// One line for `darkroom render --list-filters` and the API docs.
    public var summary: String
    var steps: [FilterStep]

    public var id: String { name }

    init(_ name: String, _ summary: String, _ steps: [FilterStep]) {
        self.name = name
        self.summary = summary
        self.steps = steps
    }

    /// Looks a filter up by name; `unknown_filter` when there is none.
    public static func named(_ name: String) throws(ImagingError) -> Filter {
        guard let filter = catalog.first(where: { $0.name == name }) else {
            throw ImagingError(.unknownFilter, "no filter named \(name)")
        }
        return filter
    }

    public static let normal = Filter("normal", "no change", [])

    /// Every filter offered to users, `normal` first.
    public static let catalog: [Filter] = [
        normal,
        Filter("clarendon", "brighter highlights, deeper shadows, +35% saturation, cool blue shadows", [
            .matrix(.saturation(1.35)),
            .curves(.contrast(1.2).then(.channels(blue: .lift(18)))),
        ]),
        Filter("gingham", "washed-out vintage: lifted blacks, softer contrast, slightly muted, a touch warm", [
            .matrix(.saturation(0.85) * .gains(1.03, 1.0, 0.96)),
            .curves(.contrast(0.9).then(.lift(32))),
        ]),
        Filter("juno", "warm and vivid: +35% saturation, red/yellow push, a little more contrast", [
            .matrix(.saturation(1.35) * .gains(1.06, 1.02, 0.9)),
            .curves(.contrast(1.1)),
        ]),
        Filter("lark", "bright and airy: +15 brightness, slightly desaturated, cool cast", [
            .matrix(.saturation(0.9) * .gains(0.98, 1.0, 1.05)),
            .curves(.brightness(15)),
        ]),
        Filter("ludwig", "muted colour, firmer contrast, soft vignette", [
            .matrix(.saturation(0.8)),
            .curves(.contrast(1.12)),
            .vignette(0.25),
        ]),
        Filter("moon", "black and white, bright, gently raised contrast", [
            .matrix(.saturation(0)),
            .curves(.contrast(1.1).then(.brightness(12))),
        ]),
        Filter("inkwell", "black and white, hard contrast", [
            .matrix(.saturation(0)),
            .curves(.contrast(1.35)),
        ]),
        Filter("reyes", "dusty vintage: strong fade, low saturation, warm, brighter", [
            .matrix(.saturation(0.7) * .gains(1.05, 1.0, 0.94)),
            .curves(.lift(40).then(.brightness(10))),
        ]),
        Filter("valencia", "warm faded film: amber cast, lifted blacks, slight contrast", [
            .matrix(.saturation(1.1) * .gains(1.08, 1.0, 0.88)),
            .curves(.contrast(1.08).then(.lift(20))),
        ]),
        Filter("nashville", "pink-peach tint, warm highlights, blue-lifted shadows, punchy", [
            .matrix(.saturation(1.2) * .gains(1.08, 0.98, 0.92)),
            .curves(.contrast(1.2).then(.channels(red: .lift(12), blue: .lift(30)))),
        ]),
        Filter("xpro2", "cross-processed: strong S-curve, yellow highlights, blue shadows, dark corners", [
            .matrix(.saturation(1.25)),
            .curves(.sCurve(0.35).then(.channels(blue: .lift(25).then(.gain(0.85))))),
            .vignette(0.35),
        ]),
        Filter("lofi", "saturated and contrasty, with a vignette", [
            .matrix(.saturation(1.45)),
            .curves(.contrast(1.35)),
            .vignette(0.3),
        ]),
        Filter("hudson", "cool and icy: blue cast, brighter, more contrast, light vignette", [
            .matrix(.gains(0.94, 1.0, 1.1)),
            .curves(.contrast(1.15).then(.brightness(6))),
            .vignette(0.2),
        ]),
        Filter("willow", "sepia monochrome, soft contrast", [
            .matrix(.sepia),
            .curves(.contrast(0.95).then(.lift(12))),
        ]),
    ]
}

/// One libvips-backed operation of a filter.
enum FilterStep: Sendable, Hashable {
    /// 3×3 colour matrix over RGB (`vips_recomb`); rows are output channels.
    case matrix(ColourMatrix)
    /// Per-channel tone curves (`vips_maplut` over a 256-entry table).
    case curves(ToneCurves)
    /// Darkens towards the corners by up to this fraction (multiply by a radial mask).
    case vignette(Double)
}

/// A 3×3 colour matrix; `*` composes (left applied after right).
struct ColourMatrix: Sendable, Hashable {
    var rows: [[Double]]

    /// Rec. 709 luma weights: saturation 0 gives the grey the eye expects.
    static func saturation(_ s: Double) -> ColourMatrix {
        let luma = [0.2126, 0.7152, 0.0722]
        return ColourMatrix(rows: (0..<3).map { row in
            (0..<3).map { column in (1 - s) * luma[column] + (row == column ? s : 0) }
        })
    }

    static func gains(_ red: Double, _ green: Double, _ blue: Double) -> ColourMatrix {
        ColourMatrix(rows: [[red, 0, 0], [0, green, 0], [0, 0, blue]])
    }

    /// The classic sepia tone matrix.
    static let sepia = ColourMatrix(rows: [[0.393, 0.769, 0.189], [0.349, 0.686, 0.168], [0.272, 0.534, 0.131]])

    static func * (left: ColourMatrix, right: ColourMatrix) -> ColourMatrix {
        ColourMatrix(rows: (0..<3).map { row in
            (0..<3).map { column in (0..<3).reduce(0) { $0 + left.rows[row][$1] * right.rows[$1][column] } }
        })
    }
}

/// Three 256-entry lookup tables.
struct ToneCurves: Sendable, Hashable {
    var red: [UInt8]
    var green: [UInt8]
    var blue: [UInt8]

    init(red: [UInt8], green: [UInt8], blue: [UInt8]) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    init(all function: (Double) -> Double) {
        let table = Self.table(function)
        self.init(red: table, green: table, blue: table)
    }

    static func table(_ function: (Double) -> Double) -> [UInt8] {
        (0..<256).map { UInt8(max(0, min(255, function(Double($0)).rounded()))) }
    }

    static let identity = ToneCurves(all: { $0 })

    /// Scales distances from mid-grey.
    static func contrast(_ c: Double) -> ToneCurves { ToneCurves(all: { ($0 - 127.5) * c + 127.5 }) }
    static func brightness(_ b: Double) -> ToneCurves { ToneCurves(all: { $0 + b }) }
    /// Raises black to `level` (the "faded film" look), white stays white.
    static func lift(_ level: Double) -> ToneCurves { ToneCurves(all: { level + $0 * (255 - level) / 255 }) }
    static func gain(_ g: Double) -> ToneCurves { ToneCurves(all: { $0 * g }) }
    /// Smooth S-curve: 0 is identity, 1 is a full smoothstep.
    static func sCurve(_ amount: Double) -> ToneCurves {
        ToneCurves(all: { v in
            let x = v / 255
            return 255 * ((1 - amount) * x + amount * x * x * (3 - 2 * x))
        })
    }

    /// Different curves per channel; unnamed channels stay as they are.
    static func channels(red: ToneCurves = .identity, green: ToneCurves = .identity, blue: ToneCurves = .identity) -> ToneCurves {
        ToneCurves(red: red.red, green: green.green, blue: blue.blue)
    }

    /// This curve, then `next`.
    func then(_ next: ToneCurves) -> ToneCurves {
        ToneCurves(
            red: red.map { next.red[Int($0)] },
            green: green.map { next.green[Int($0)] },
            blue: blue.map { next.blue[Int($0)] })
    }

    /// Interleaved RGB, the layout of a 256×1 three-band LUT image.
    var interleaved: [UInt8] {
        (0..<256).flatMap { [red[$0], green[$0], blue[$0]] }
    }
}
