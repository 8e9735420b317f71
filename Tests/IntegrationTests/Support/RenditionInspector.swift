import Pipeline
import Imaging

/// What a client sees in a served rendition: its declared size and any metadata it carries.
enum RenditionInspector {
    static func header(_ bytes: [UInt8]) throws -> ImageHeader {
        try bytes.withUnsafeBytes { try ImageEngine.probeBlocking($0, limits: ImageLimits()) }
    }

    /// Names of metadata blocks found: JPEG APPn segments other than JFIF (APP0), WebP EXIF/XMP/ICCP chunks.
    static func metadataBlocks(_ bytes: [UInt8]) -> [String] {
        if bytes.starts(with: [0xFF, 0xD8]) { return jpegSegments(bytes) }
        if bytes.count > 12, bytes[0..<4] == [0x52, 0x49, 0x46, 0x46], bytes[8..<12] == [0x57, 0x45, 0x42, 0x50] { return webpChunks(bytes) }
        return ["unknown container"]
    }

    private static func jpegSegments(_ bytes: [UInt8]) -> [String] {
        var found: [String] = []
        var index = 2
        while index + 4 <= bytes.count, bytes[index] == 0xFF {
            let marker = bytes[index + 1]
            if marker == 0xDA { break }  // start of scan: no more header segments
            let length = Int(bytes[index + 2]) << 8 | Int(bytes[index + 3])
            if (0xE1...0xEF).contains(marker) || marker == 0xFE { found.append("APPn/COM marker \(marker)") }
            index += 2 + length
        }
        return found
    }

    private static func webpChunks(_ bytes: [UInt8]) -> [String] {
        var found: [String] = []
        var index = 12
        while index + 8 <= bytes.count {
            let fourCC = String(decoding: bytes[index..<index + 4], as: UTF8.self)
            let size = Int(bytes[index + 4]) | Int(bytes[index + 5]) << 8 | Int(bytes[index + 6]) << 16 | Int(bytes[index + 7]) << 24
            if ["EXIF", "XMP ", "ICCP"].contains(fourCC) { found.append(fourCC) }
            index += 8 + size + (size & 1)
        }
        return found
    }
}
