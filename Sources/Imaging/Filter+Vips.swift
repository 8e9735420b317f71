internal import CVips

extension Filter {
    /// Applies the steps to an 8-bit sRGB image; alpha passes through untouched.
    func apply(to image: VipsImageRef) throws(ImagingError) -> VipsImageRef {
        guard !steps.isEmpty else { return image }
        let alpha = image.hasAlpha ? try image.then(.renderFailed, "extract alpha") { cvips_extract_band($0, $1, 3, 1) } : nil
        var rgb = image.hasAlpha ? try image.then(.renderFailed, "extract rgb") { cvips_extract_band($0, $1, 0, 3) } : image
        for step in steps {
            rgb = try step.apply(to: rgb)
        }
        guard let alpha else { return rgb }
        return try rgb.then(.renderFailed, "join alpha") { cvips_bandjoin2($0, alpha.pointer, $1) }
    }
}

extension FilterStep {
    fileprivate func apply(to image: VipsImageRef) throws(ImagingError) -> VipsImageRef {
        switch self {
        case .matrix(let matrix):
            let recomb = try VipsImageRef.matrix(matrix.rows)
            let mixed = try image.then(.renderFailed, "recomb") { cvips_recomb($0, $1, recomb.pointer) }
            return try mixed.then(.renderFailed, "cast") { cvips_cast($0, $1, cEnum(VIPS_FORMAT_UCHAR)) }
        case .curves(let curves):
            let lut = try VipsImageRef.fromMemory(curves.interleaved, width: 256, height: 1, bands: 3, format: VIPS_FORMAT_UCHAR)
            return try image.then(.renderFailed, "maplut") { cvips_maplut($0, $1, lut.pointer) }
        case .vignette(let strength):
            let mask = Self.vignetteMask(width: image.width, height: image.height, strength: strength)
            let maskImage = try VipsImageRef.fromMemory(mask, width: image.width, height: image.height, bands: 1, format: VIPS_FORMAT_FLOAT)
            let darkened = try image.then(.renderFailed, "vignette") { cvips_multiply($0, maskImage.pointer, $1) }
            return try darkened.then(.renderFailed, "cast") { cvips_cast($0, $1, cEnum(VIPS_FORMAT_UCHAR)) }
        }
    }

    /// 1 in the middle, falling smoothly to 1 − strength in the corners; elliptical, so it is symmetric under every
    /// EXIF rotation and flip (the filter runs before the image is turned upright).
    static func vignetteMask(width: Int, height: Int, strength: Double) -> [Float] {
        var mask = [Float](repeating: 1, count: width * height)
        let halfWidth = Double(width) / 2, halfHeight = Double(height) / 2
        let column = (0..<width).map { x in let u = (Double(x) + 0.5 - halfWidth) / halfWidth; return u * u }
        for y in 0..<height {
            let v = (Double(y) + 0.5 - halfHeight) / halfHeight
            let v2 = v * v
            let row = y * width
            for x in 0..<width {
                let d = ((column[x] + v2) / 2).squareRoot()
                let t = max(0, min(1, (d - 0.45) / 0.55))
                mask[row + x] = Float(1 - strength * t * t * (3 - 2 * t))
            }
        }
        return mask
    }
}
