internal import CVips

/// Exact-size resizing. Alpha images are premultiplied around the resize so transparent pixels' colours do not
/// bleed into the edges.
enum Resampler {
    static func resize(
        _ image: VipsImageRef, width: Int, height: Int, kernel: VipsKernel = VIPS_KERNEL_LANCZOS3
    ) throws(ImagingError) -> VipsImageRef {
        guard image.width != width || image.height != height else { return image }
        // A 0-px target would reach libvips' generate assertion (a process abort), not an error.
        guard width > 0, height > 0 else { throw ImagingError(.renderFailed, "resize to \(width)x\(height)") }
        let hscale = Double(width) / Double(image.width)
        let vscale = Double(height) / Double(image.height)
        guard image.hasAlpha else {
            return try image.then(.renderFailed, "resize") { cvips_resize($0, $1, hscale, vscale, cEnum(kernel)) }
        }
        let format = image.bandFormat
        let premultiplied = try image.then(.renderFailed, "premultiply") { cvips_premultiply($0, $1) }
        let resized = try premultiplied.then(.renderFailed, "resize") { cvips_resize($0, $1, hscale, vscale, cEnum(kernel)) }
        let unpremultiplied = try resized.then(.renderFailed, "unpremultiply") { cvips_unpremultiply($0, $1) }
        return try unpremultiplied.then(.renderFailed, "cast") { cvips_cast($0, $1, cEnum(format)) }
    }

    /// Scales so the short side is `side`, then keeps the most salient `side`×`side` square (libvips attention crop).
    static func square(
        _ image: VipsImageRef, side: Int, kernel: VipsKernel = VIPS_KERNEL_LANCZOS3
    ) throws(ImagingError) -> VipsImageRef {
        let short = min(image.width, image.height)
        let width = max(side, Int((Double(image.width) * Double(side) / Double(short)).rounded()))
        let height = max(side, Int((Double(image.height) * Double(side) / Double(short)).rounded()))
        // smartcrop reads the image twice (to score, then to cut): compute the small resize once.
        let scaled = try resize(image, width: width, height: height, kernel: kernel).materialized(.renderFailed, "square resize")
        guard width != side || height != side else { return scaled }
        return try scaled.then(.renderFailed, "smartcrop") {
            cvips_smartcrop($0, $1, Int32(side), Int32(side), cEnum(VIPS_INTERESTING_ATTENTION))
        }
    }
}
