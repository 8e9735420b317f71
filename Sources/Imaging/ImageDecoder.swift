internal import CVips

/// Opens upload bytes with the one libvips loader for the sniffed format (never the generic, sniffing loader).
/// Every open is lazy: only the header is parsed until pixels are asked for, and `fail_on = error` makes truncated
/// or corrupt data fail at decode instead of yielding grey pixels.
enum ImageDecoder {
    static let failOn = cEnum(VIPS_FAIL_ON_ERROR)

    /// The header (and, lazily, the pixels) of the first frame. `shrink` (1, 2, 4, 8) is JPEG DCT scaling.
    static func open(_ bytes: UnsafeRawBufferPointer, as format: ImageFormat, shrink: Int = 1) throws(ImagingError) -> VipsImageRef {
        let base = bytes.baseAddress
        let count = bytes.count
        return try VipsImageRef.make(.corruptImage, "\(format.rawValue) header") { out in
            switch format {
            case .jpeg: cvips_jpegload_buffer(base, count, out, Int32(shrink), failOn)
            case .png: cvips_pngload_buffer(base, count, out, failOn)
            case .webp: cvips_webpload_buffer(base, count, out, 1, failOn)
            case .heif, .avif: cvips_heifload_buffer(base, count, out, failOn)
            case .gif: cvips_gifload_buffer(base, count, out, failOn)
            }
        }
    }

    /// The largest JPEG DCT shrink that still leaves at least `needed` pixels on both axes (libjpeg rounds up).
    static func jpegShrink(width: Int, height: Int, neededWidth: Int, neededHeight: Int) -> Int {
        for shrink in [8, 4, 2] {
            let w = (width + shrink - 1) / shrink
            let h = (height + shrink - 1) / shrink
            if w >= neededWidth && h >= neededHeight { return shrink }
        }
        return 1
    }
}
