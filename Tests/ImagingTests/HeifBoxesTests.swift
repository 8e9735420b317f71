import Foundation
import TestSupport
import Testing
@testable import Imaging

@Suite struct HeifBoxesTests {
    static func box(_ type: String, _ payload: [UInt8]) -> [UInt8] {
        let size = 8 + payload.count
        return [UInt8(size >> 24 & 0xFF), UInt8(size >> 16 & 0xFF), UInt8(size >> 8 & 0xFF), UInt8(size & 0xFF)]
            + Array(type.utf8) + payload
    }

    static func ispe(_ width: Int, _ height: Int) -> [UInt8] {
        func be(_ v: Int) -> [UInt8] { [UInt8(v >> 24 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
        return box("ispe", [0, 0, 0, 0] + be(width) + be(height))
    }

    @Test("reads the largest ispe inside meta")
    func insideMeta() {
        let file = Self.box("ftyp", Array("heic\0\0\0\0mif1heic".utf8)) + Self.box("meta", [0, 0, 0, 0] + Self.ispe(512, 512) + Self.ispe(4032, 3024))
        let extent = file.withUnsafeBytes { HeifBoxes.largestSpatialExtent($0) }
        #expect(extent?.width == 4032 && extent?.height == 3024)
    }

    @Test("an ispe-looking run inside coded data (mdat) is ignored")
    func notInMdat() {
        let file = Self.box("ftyp", Array("heic\0\0\0\0mif1heic".utf8)) + Self.box("meta", [0, 0, 0, 0] + Self.ispe(400, 300))
            + Self.box("mdat", Self.ispe(100_000, 100_000))
        let extent = file.withUnsafeBytes { HeifBoxes.largestSpatialExtent($0) }
        #expect(extent?.width == 400 && extent?.height == 300)
    }

    @Test("truncated or garbage input yields nothing", arguments: [[UInt8](), [0, 0, 0, 1], Array("garbage bytes here".utf8)])
    func garbage(_ bytes: [UInt8]) {
        #expect(bytes.withUnsafeBytes { HeifBoxes.largestSpatialExtent($0) } == nil)
    }

    @Test("the shared 17000×17000 AVIF is too_many_pixels, not corrupt")
    func oversizedAvif() async throws {
        let bytes = try TestCorpus.bytes(TestCorpus.sharedImages.appendingPathComponent("bad/avif_17000x17000.avif"))
        let extent = bytes.withUnsafeBytes { HeifBoxes.largestSpatialExtent($0) }
        #expect(extent?.width == 17000 && extent?.height == 17000)
    }
}
