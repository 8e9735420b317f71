/// Removes the EXIF, XMP and ICC chunks from an encoded WebP.
///
/// libvips 8.14's WebP saver ignores `strip` and always writes an EXIF block (rebuilt from the image's resolution and
/// orientation) plus any XMP; renditions must carry no metadata at all, so the chunks are cut out after encoding.
enum WebPMetadataStripper {
    private static let dropped: Set<String> = ["EXIF", "XMP ", "ICCP"]
    /// VP8X flag bits: ICC 0x20, EXIF 0x08, XMP 0x04.
    private static let metadataFlags: UInt8 = 0x20 | 0x08 | 0x04

    static func strip(_ webp: [UInt8]) throws(ImagingError) -> [UInt8] {
        guard webp.count >= 12, webp[0..<4].elementsEqual("RIFF".utf8), webp[8..<12].elementsEqual("WEBP".utf8) else {
            throw ImagingError(.renderFailed, "encoder output is not a RIFF/WEBP file")
        }
        var output = Array(webp[0..<12])
        var offset = 12
        var removed = false
        while offset + 8 <= webp.count {
            let tag = String(decoding: webp[offset..<(offset + 4)], as: UTF8.self)
            let size = (0..<4).reduce(0) { $0 | Int(webp[offset + 4 + $1]) << (8 * $1) }
            let end = offset + 8 + size + (size & 1)
            guard end <= webp.count || (end == webp.count + 1 && size & 1 == 1) else {
                throw ImagingError(.renderFailed, "encoder output has a truncated \(tag) chunk")
            }
            let chunkEnd = min(end, webp.count)
            if dropped.contains(tag) {
                removed = true
            } else {
                output += webp[offset..<chunkEnd]
            }
            offset = chunkEnd
        }
        guard removed else { return webp }
        // Clear the metadata flags in VP8X (first payload byte) and fix the RIFF size.
        if output.count >= 21, output[12..<16].elementsEqual("VP8X".utf8) {
            output[20] &= ~metadataFlags
        }
        let riffSize = UInt32(output.count - 8)
        for index in 0..<4 { output[4 + index] = UInt8(truncatingIfNeeded: riffSize >> (8 * UInt32(index))) }
        return output
    }
}
