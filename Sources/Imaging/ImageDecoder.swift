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
        let image = try VipsImageRef.make(.corruptImage, "\(format.rawValue) header") { out in
            switch format {
            case .jpeg: cvips_jpegload_buffer(base, count, out, Int32(shrink), failOn)
            case .png: cvips_pngload_buffer(base, count, out, failOn)
            case .webp: cvips_webpload_buffer(base, count, out, 1, failOn)
            case .heif, .avif: cvips_heifload_buffer(base, count, out, failOn)
            case .gif: cvips_gifload_buffer(base, count, out, failOn)
            }
        }
        // libvips asserts (aborts the process) when it generates pixels for a 0-px image: none may leave here.
        guard image.width > 0, image.height > 0 else {
            throw ImagingError(.corruptImage, "\(format.rawValue) header gives \(image.width)x\(image.height) at shrink \(shrink)")
        }
        return image
    }

    /// The largest JPEG DCT shrink that still leaves at least `needed` pixels on both axes.
    ///
    /// libvips 8.14's jpegload sizes a shrunk image `width / shrink` rounded *down* (libjpeg itself rounds up; libvips
    /// drops the partial last block), so a side shorter than the shrink comes out 0 px: libvips then aborts the
    /// process in `vips_image_generate` ("bad dimensions"). A 1×1 JPEG asked for 1×1 did exactly that at shrink 8.
    /// Rounding down here too means the shrunk image is never 0 px and never smaller than needed (never upscaled).
    static func jpegShrink(width: Int, height: Int, neededWidth: Int, neededHeight: Int) -> Int {
        for shrink in [8, 4, 2] {
            let w = width / shrink
            let h = height / shrink
            if w >= max(1, neededWidth) && h >= max(1, neededHeight) { return shrink }
        }
        return 1
    }
}
