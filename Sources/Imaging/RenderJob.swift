internal import CVips

/// One render, start to finish, on the calling (thread-pool) thread. The order is the whole design:
///
/// sniff → header → limits → (JPEG) shrink-on-load → resize to the largest rendition → sRGB → filter → decode
/// (materialise) → turn upright → cascade the smaller renditions → encode (metadata stripped) → BlurHash.
///
/// Resizing before rotating means the rotation moves ~1.5 MP instead of ~6 MP, and the filter and colour transform
/// touch only the pixels that are kept.
struct RenderJob {
    var input: UnsafeRawBufferPointer
    var filter: Filter
    var configuration: RenderConfiguration

    func run() throws(ImagingError) -> RenderResult {
        guard !input.isEmpty else { throw ImagingError(.emptyFile, "no bytes") }
        guard let format = ImageFormat.sniff(input) else {
            throw ImagingError(.unsupportedFormat, "magic bytes are not JPEG, PNG, WebP, HEIF/AVIF or GIF")
        }
        if format == .heif || format == .avif, let extent = HeifBoxes.largestSpatialExtent(input) {
            try configuration.limits.check(width: extent.width, height: extent.height)
        }
        let header = try ImageDecoder.open(input, as: format)
        try configuration.limits.check(width: header.width, height: header.height)

        // libheif has already applied the container's rotation; an EXIF orientation inside a HEIC must not apply twice.
        let orientation = (format == .heif || format == .avif) ? Orientation.up : Orientation(exif: header.int("orientation"))
        let profile = header.blob("icc-profile-data").flatMap(IccProfile.init)
        let exif = header.blob("exif-data").flatMap(ExifReader.init)?.facts()
        let upright = orientation.transpose((header.width, header.height))

        let plan = RenditionPlan(presets: configuration.presets, uprightWidth: upright.width, uprightHeight: upright.height)
        let baseStored = orientation.transpose(plan.base)

        var decoded = header
        if format == .jpeg {
            let shrink = ImageDecoder.jpegShrink(
                width: header.width, height: header.height, neededWidth: baseStored.width, neededHeight: baseStored.height)
            if shrink > 1 { decoded = try ImageDecoder.open(input, as: format, shrink: shrink) }
        }

        // Still lazy: nothing is decoded until `materialized`.
        var base = try Resampler.resize(decoded, width: baseStored.width, height: baseStored.height)
        base = try ColourNormaliser.toSRGB(base, profile: profile)
        base = try filter.apply(to: base)
        // Decode errors surface here (fail_on); this step's failure is the upload's fault.
        base = try base.materialized(.corruptImage, "decode")
        base = try orientation.apply(to: base).materialized(.renderFailed, "orient")
        // Every rendition derives from `base`; with no metadata here, none can reach an output (GPS stays in the DB).
        base.removeAllMetadata()

        var sources = [base]
        var renditions: [Rendition] = []
        var smallestWide: VipsImageRef?
        var encodedBySize: [Size: [Rendition]] = [:]
        for (preset, size) in plan.outputs {
            let isWidth = preset.shape.isWidth
            // A small upload gives several width presets the same image (never upscaled): encode it once.
            if isWidth, let encoded = encodedBySize[Size(size)] {
                renditions += encoded.map { Rendition(name: preset.name, format: $0.format, width: $0.width, height: $0.height, bytes: $0.bytes) }
                continue
            }
            let image = try make(preset, size: size, from: &sources)
            if isWidth, smallestWide.map({ image.width < $0.width }) ?? true { smallestWide = image }
            let encoded = try configuration.formats.map { format throws(ImagingError) in try encode(image, name: preset.name, as: format) }
            if isWidth { encodedBySize[Size(size)] = encoded }
            renditions += encoded
        }
        let order = Dictionary(configuration.presets.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
        renditions = renditions.enumerated()
            .sorted { (order[$0.element.name] ?? 0, $0.offset) < (order[$1.element.name] ?? 0, $1.offset) }
            .map(\.element)

        let blurhash = try Self.blurhash(of: smallestWide ?? base)
        let facts = ImageFacts(
            width: upright.width, height: upright.height, format: format, orientation: orientation.value,
            icc: profile.map { $0.description ?? "embedded" }, gps: exif?.gps, capturedAt: exif?.capturedAt,
            camera: exif?.camera, blurhash: blurhash)
        return RenderResult(facts: facts, renditions: renditions)
    }

    static let smallRenditionWidth = 320

    /// Derives one rendition from the smallest already-made image that still covers it (the cascade).
    private func make(_ preset: RenditionPreset, size: (width: Int, height: Int), from sources: inout [VipsImageRef])
        throws(ImagingError) -> VipsImageRef
    {
        let covering = sources.filter { source in
            switch preset.shape {
            case .width: source.width >= size.width && source.height >= size.height
            case .square: min(source.width, source.height) >= size.width
            }
        }
        let source = covering.min { $0.width * $0.height < $1.width * $1.height } ?? sources[0]
        // Lanczos3 where detail shows; small renditions use the linear (triangle) kernel: at ≤ 2× reduction and ≤ 320 px
        // it looks the same and costs about half.
        let kernel = size.width <= Self.smallRenditionWidth ? VIPS_KERNEL_LINEAR : VIPS_KERNEL_LANCZOS3
        let image: VipsImageRef
        switch preset.shape {
        case .width:
            image = try Resampler.resize(source, width: size.width, height: size.height, kernel: kernel)
                .materialized(.renderFailed, "resize \(preset.name)")
        case .square:
            image = try Resampler.square(source, side: size.width, kernel: kernel).materialized(.renderFailed, "crop \(preset.name)")
        }
        sources.append(image)
        return image
    }

    private func encode(_ image: VipsImageRef, name: String, as format: RenditionFormat) throws(ImagingError) -> Rendition {
        var buffer: UnsafeMutableRawPointer?
        var length = 0
        let status: Int32
        switch format {
        case .jpeg:
            let opaque = image.hasAlpha ? try image.then(.renderFailed, "flatten") { cvips_flatten_white($0, $1) } : image
            let progressive: Int32 = image.width >= configuration.progressiveMinWidth ? 1 : 0
            status = cvips_jpegsave_buffer(opaque.pointer, &buffer, &length, Int32(configuration.jpegQuality), progressive)
        case .webp:
            status = cvips_webpsave_buffer(
                image.pointer, &buffer, &length, Int32(configuration.webpQuality), Int32(configuration.webpEffort))
        }
        guard status == 0, let buffer else {
            if let buffer { cvips_free(buffer) }
            throw ImagingError(.renderFailed, "\(format.rawValue) save \(name): \(Vips.takeErrorBuffer())")
        }
        defer { cvips_free(buffer) }
        var bytes = Array(UnsafeRawBufferPointer(start: buffer, count: length))
        if format == .webp { bytes = try WebPMetadataStripper.strip(bytes) }
        return Rendition(name: name, format: format, width: image.width, height: image.height, bytes: bytes)
    }

    /// BlurHash over a ≤32-px copy of the rendered image (the hash only keeps 4×3 cosines; more pixels add nothing).
    static func blurhash(of image: VipsImageRef) throws(ImagingError) -> String {
        let scale = min(1, 32 / Double(max(image.width, image.height)))
        let width = max(1, Int((Double(image.width) * scale).rounded()))
        let height = max(1, Int((Double(image.height) * scale).rounded()))
        var small = try Resampler.resize(image, width: width, height: height, kernel: VIPS_KERNEL_LINEAR)
        if small.hasAlpha { small = try small.then(.renderFailed, "flatten") { cvips_flatten_white($0, $1) } }
        let pixels = try small.pixelBytes(.renderFailed, "blurhash pixels")
        let portrait = height > width
        return BlurHash.encode(
            pixels: pixels, width: small.width, height: small.height, bytesPerPixel: small.bands,
            componentsX: portrait ? 3 : 4, componentsY: portrait ? 4 : 3)
    }
}

/// The sizes of one render, all decided from the header before any pixel is decoded.
struct RenditionPlan {
    /// (preset, upright output size), largest first so each can be cut from the one before.
    var outputs: [(RenditionPreset, (width: Int, height: Int))]
    /// Upright size of the first resize: the smallest image every rendition can be derived from.
    var base: (width: Int, height: Int)

    init(presets: [RenditionPreset], uprightWidth width: Int, uprightHeight height: Int) {
        let sized = presets.map { ($0, $0.outputSize(sourceWidth: width, sourceHeight: height)) }
        outputs = sized.sorted { $0.1.width * $0.1.height > $1.1.width * $1.1.height }
        let widest = presets.max { $0.scale(sourceWidth: width, sourceHeight: height) < $1.scale(sourceWidth: width, sourceHeight: height) }
        guard let widest else {
            base = (width, height)
            return
        }
        switch widest.shape {
        case .width:
            // Exactly the largest rendition, so it needs no second resize.
            base = widest.outputSize(sourceWidth: width, sourceHeight: height)
        case .square:
            let scale = widest.scale(sourceWidth: width, sourceHeight: height)
            base = (max(1, Int((Double(width) * scale).rounded())), max(1, Int((Double(height) * scale).rounded())))
        }
    }
}

private struct Size: Hashable {
    var width: Int
    var height: Int
    init(_ size: (width: Int, height: Int)) {
        width = size.width
        height = size.height
    }
}

extension RenditionPreset.Shape {
    var isWidth: Bool {
        if case .width = self { return true }
        return false
    }
}
