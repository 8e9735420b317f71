/// The declared sizes in a HEIF/AVIF file's `ispe` (image spatial extent) properties, read without libheif.
///
/// libheif refuses images above its own limit while reading the header, which would surface as `corrupt_image`;
/// reading `ispe` first lets an oversized HEIF get the honest `too_many_pixels`.
enum HeifBoxes {
    /// The largest width and height any `ispe` declares (a grid image's full size is one of them), or nil if none.
    static func largestSpatialExtent(_ bytes: UnsafeRawBufferPointer) -> (width: Int, height: Int)? {
        let tag: [UInt8] = Array("ispe".utf8)
        var best: (width: Int, height: Int)?
        var index = 4
        // ispe = size(4) 'ispe' version+flags(4) width(4) height(4)
        while index + 16 <= bytes.count {
            if bytes[index] == tag[0], bytes[index + 1] == tag[1], bytes[index + 2] == tag[2], bytes[index + 3] == tag[3] {
                let width = bigEndian(bytes, at: index + 8)
                let height = bigEndian(bytes, at: index + 12)
                if width * height > (best.map { $0.width * $0.height } ?? -1) {
                    best = (width, height)
                }
                index += 16
            } else {
                index += 1
            }
        }
        return best
    }

    private static func bigEndian(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> Int {
        (0..<4).reduce(0) { $0 << 8 | Int(bytes[offset + $1]) }
    }
}
