import Testing
@testable import Imaging

@Suite struct ExifReaderTests {
    /// A little-endian TIFF with IFD0 {Make, GPS pointer} and a GPS IFD {LatRef S, Lat 10/1 30/1 0/1, LonRef W, Lon 20/1 15/1 36/1}.
    static func tiff() -> [UInt8] {
        var b: [UInt8] = [0x49, 0x49, 0x2A, 0x00, 8, 0, 0, 0]
        func u16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
        func u32(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24 & 0xFF)] }
        // IFD0 at 8: 2 entries → ends at 8 + 2 + 24 + 4 = 38; "Test\0" at 38; GPS IFD at 44.
        b += u16(2)
        b += u16(0x010F) + u16(2) + u32(5) + u32(38)
        b += u16(0x8825) + u16(4) + u32(1) + u32(44)
        b += u32(0)
        b += Array("Test\0".utf8) + [0]
        // GPS IFD at 44: 4 entries → 44 + 2 + 48 + 4 = 98: lat rationals at 98 (24 B), lon at 122 (24 B).
        b += u16(4)
        b += u16(1) + u16(2) + u32(2) + Array("S\0".utf8) + [0, 0]
        b += u16(2) + u16(5) + u32(3) + u32(98)
        b += u16(3) + u16(2) + u32(2) + Array("W\0".utf8) + [0, 0]
        b += u16(4) + u16(5) + u32(3) + u32(122)
        b += u32(0)
        for v in [10, 1, 30, 1, 0, 1, 20, 1, 15, 1, 36, 1] { b += u32(v) }
        return b
    }

    @Test("reads camera and GPS with hemisphere signs")
    func wellFormed() throws {
        let facts = try #require(ExifReader(Array("Exif\0\0".utf8) + Self.tiff())).facts()
        #expect(facts.camera == Camera(make: "Test", model: nil))
        #expect(facts.gps == GPSPosition(latitude: -10.5, longitude: -20.26))
    }

    @Test("malformed blobs yield nothing and never trap", arguments: [
        [UInt8](), [0x49, 0x49, 0x2A, 0x00], [0x4D, 0x4D, 0x00, 0x2A, 0xFF, 0xFF, 0xFF, 0xFF],
        [0x49, 0x49, 0x2A, 0x00, 8, 0, 0, 0, 0xFF, 0xFF],  // 65535 entries claimed, none present
    ])
    func malformed(_ blob: [UInt8]) {
        let facts = ExifReader(blob)?.facts()
        #expect(facts?.gps == nil && facts?.camera == nil && facts?.capturedAt == nil)
    }

    @Test("every truncation of a valid blob is safe")
    func truncations() {
        let full = Self.tiff()
        for length in 0..<full.count {
            _ = ExifReader(Array(full[0..<length]))?.facts()
        }
    }

    @Test("dates become ISO 8601; garbage becomes nil")
    func dates() {
        #expect(ExifReader.isoDate("2008:10:22 16:28:39", offset: nil) == "2008-10-22T16:28:39")
        #expect(ExifReader.isoDate("2021:04:11 15:47:53", offset: "-05:00") == "2021-04-11T15:47:53-05:00")
        #expect(ExifReader.isoDate("0000:00:00 00:00:00", offset: nil) == nil)
        #expect(ExifReader.isoDate("    :  :     :  :  ", offset: nil) == nil)
    }

    @Test("invalid orientation counts as 1", arguments: [nil, 0, 9, -1, 1000])
    func orientation(_ value: Int?) {
        #expect(Orientation(exif: value).value == 1)
    }
}
