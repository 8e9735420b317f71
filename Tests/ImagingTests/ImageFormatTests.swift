import Testing
@testable import Imaging

@Suite struct ImageFormatTests {
    static let cases: [(String, [UInt8], ImageFormat?)] = [
        ("jpeg", [0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10], .jpeg),
        ("png", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0], .png),
        ("gif87", Array("GIF87a....".utf8), .gif),
        ("gif89", Array("GIF89a....".utf8), .gif),
        ("webp", Array("RIFF\u{10}\0\0\0WEBPVP8 ".utf8), .webp),
        ("heic", ftyp("heic", ["mif1", "heic"]), .heif),
        ("mif1 only", ftyp("mif1", ["mif1"]), .heif),
        ("avif", ftyp("avif", ["avif", "mif1", "miaf"]), .avif),
        ("avif as compatible brand", ftyp("mif1", ["avif"]), .avif),
        ("mp4", ftyp("isom", ["isom", "iso2", "avc1", "mp41"]), nil),
        ("quicktime", ftyp("qt  ", ["qt  "]), nil),
        ("svg", Array("<?xml version=\"1.0\"?><svg xmlns=".utf8), nil),
        ("pdf", Array("%PDF-1.4\n".utf8), nil),
        ("tiff", [0x49, 0x49, 0x2A, 0x00, 8, 0, 0, 0], nil),
        ("bmp", Array("BM6\0\0\0".utf8), nil),
        ("riff but not webp", Array("RIFF\u{10}\0\0\0WAVEfmt ".utf8), nil),
        ("jpeg magic truncated", [0xFF, 0xD8], nil),
        ("empty", [], nil),
    ]

    static func ftyp(_ major: String, _ compatible: [String]) -> [UInt8] {
        let size = 16 + 4 * compatible.count
        return [0, 0, 0, UInt8(size)] + Array("ftyp".utf8) + Array(major.utf8) + [0, 0, 0, 0] + compatible.flatMap { Array($0.utf8) }
    }

    @Test("sniffs magic bytes against the allow-list", arguments: cases.indices)
    func sniff(_ index: Int) {
        let (name, bytes, expected) = Self.cases[index]
        #expect(ImageFormat.sniff(bytes) == expected, "\(name)")
    }
}
