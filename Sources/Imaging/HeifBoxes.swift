/// The declared sizes in a HEIF/AVIF file's `ispe` (image spatial extent) properties, read without libheif.
///
/// libheif refuses images above its own limit while reading the header, which would surface as `corrupt_image`;
/// reading `ispe` first lets an oversized HEIF get the honest `too_many_pixels`.
enum HeifBoxes {
    /// The largest width × height any `ispe` in the top-level `meta` box declares (a grid image's full size is one of
    /// them), or nil if there is none. Only `meta` is searched, so coded image data can never fake an `ispe`.
    static func largestSpatialExtent(_ bytes: UnsafeRawBufferPointer) -> (width: Int, height: Int)? {
        guard let meta = topLevelBox("meta", in: bytes) else { return nil }
        var best: (width: Int, height: Int)?
        var index = meta.lowerBound
        // ispe is a full box of exactly 20 bytes: size(4) 'ispe' version+flags(4) width(4) height(4).
        while index + 20 <= meta.upperBound {
            if bytes[index + 4] == 0x69, bytes[index + 5] == 0x73, bytes[index + 6] == 0x70, bytes[index + 7] == 0x65,
                bigEndian(bytes, at: index) == 20
            {
                let width = bigEndian(bytes, at: index + 12)
                let height = bigEndian(bytes, at: index + 16)
                if width * height > (best.map { $0.width * $0.height } ?? -1) {
                    best = (width, height)
                }
                index += 20
            } else {
                index += 1
            }
        }
        return best
    }

    /// Byte range of the first top-level box of `type`, clamped to the buffer.
    static func topLevelBox(_ type: String, in bytes: UnsafeRawBufferPointer) -> Range<Int>? {
        let wanted = Array(type.utf8)
        var offset = 0
        while offset + 8 <= bytes.count {
            var size = bigEndian(bytes, at: offset)
            var header = 8
            if size == 1 {
                guard offset + 16 <= bytes.count else { return nil }
                size = (0..<8).reduce(0) { $0 << 8 | Int(bytes[offset + 8 + $1]) }
                header = 16
            } else if size == 0 {
                size = bytes.count - offset
            }
            guard size >= header else { return nil }
            let end = offset + min(size, bytes.count - offset)
            if (0..<4).allSatisfy({ bytes[offset + 4 + $0] == wanted[$0] }) {
                return (offset + header)..<end
            }
            guard size <= bytes.count - offset else { return nil }
            offset += size
        }
        return nil
    }

    private static func bigEndian(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> Int {
        (0..<4).reduce(0) { $0 << 8 | Int(bytes[offset + $1]) }
    }
}
