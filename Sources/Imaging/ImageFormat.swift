/// The formats an upload may be in, decided from the magic bytes alone (never the file name or Content-Type).
public enum ImageFormat: String, Sendable, Hashable, CaseIterable, Codable {
    case jpeg
    case png
    case webp
    case heif
    case avif
    case gif

    /// The allow-list check. `nil` means "not one of ours": SVG, PDF, TIFF, BMP, ICO, MP4, HTML, text, ...
    public static func sniff(_ bytes: some Collection<UInt8>) -> ImageFormat? {
        let head = Array(bytes.prefix(64))
        if head.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if head.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if head.starts(with: Array("GIF87a".utf8)) || head.starts(with: Array("GIF89a".utf8)) { return .gif }
        if head.count >= 12, head[0..<4].elementsEqual("RIFF".utf8), head[8..<12].elementsEqual("WEBP".utf8) {
            return .webp
        }
        return isobmffImage(head)
    }

    /// HEIF and AVIF are ISO-BMFF: an `ftyp` box whose major or compatible brands name an image brand (as libheif
    /// checks). Plain MP4/MOV (`isom`, `mp41`, `qt  `) is not an image.
    private static func isobmffImage(_ head: [UInt8]) -> ImageFormat? {
        guard head.count >= 16, head[4..<8].elementsEqual("ftyp".utf8) else { return nil }
        let boxSize = head[0..<4].reduce(0) { $0 << 8 | Int($1) }
        guard boxSize >= 16, boxSize % 4 == 0 else { return nil }
        var brands = [String(decoding: head[8..<12], as: UTF8.self)]
        var offset = 16
        while offset + 4 <= min(boxSize, head.count) {
            brands.append(String(decoding: head[offset..<(offset + 4)], as: UTF8.self))
            offset += 4
        }
        if brands.contains(where: { avifBrands.contains($0) }) { return .avif }
        if brands.contains(where: { heifBrands.contains($0) }) { return .heif }
        return nil
    }

    private static let avifBrands: Set<String> = ["avif", "avis"]
    private static let heifBrands: Set<String> = ["heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1"]

    /// The media type of the original upload.
    public var mimeType: String {
        switch self {
        case .jpeg: "image/jpeg"
        case .png: "image/png"
        case .webp: "image/webp"
        case .heif: "image/heic"
        case .avif: "image/avif"
        case .gif: "image/gif"
        }
    }
}
