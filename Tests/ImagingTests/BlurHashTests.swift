import Testing
@testable import Imaging

/// Expected strings come from the Python `blurhash` package 1.1.5 (a port of the reference implementation) on the
/// same synthetic pixels: `blurhash.encode(img(w, h, seed), cx, cy)` with the formula in `pixels` below.
@Suite struct BlurHashTests {
    struct Vector: Sendable, CustomTestStringConvertible {
        var width: Int
        var height: Int
        var seed: Int
        var componentsX: Int
        var componentsY: Int
        var expected: String
        var testDescription: String { "\(width)x\(height) seed \(seed) \(componentsX)x\(componentsY)" }
    }

    static let vectors = [
        Vector(width: 7, height: 5, seed: 0, componentsX: 4, componentsY: 3, expected: "L+HKxZ9oN#%4x3NOt7e@RXoyahf9"),
        Vector(width: 32, height: 24, seed: 1, componentsX: 4, componentsY: 3, expected: "L7HV6r-;a+-q%gMyOAM{EEW-Erix"),
        Vector(width: 24, height: 32, seed: 2, componentsX: 3, componentsY: 4, expected: "T7HLo8-?J}%NRXi*BMakASx{RcN6"),
        Vector(width: 16, height: 16, seed: 3, componentsX: 1, componentsY: 1, expected: "00G[~G"),
        Vector(width: 20, height: 12, seed: 4, componentsX: 9, componentsY: 9, expected:
            "|VHV9zXSjLTOnjF{6y-BX9wlRoV*NKR3A0+e$2adRBeZRVnLR%oh$vXeX7xuobXgo@X7fzXdoMV{WXe:eZX3RQVus*nTen%MjHayf}f*W;bpkSo^a6X7jKbEn#RnjFnQaftlahnTkBj=spX5WDWCR:nQX8bZX4SxaeoLnk"),
        Vector(width: 5, height: 5, seed: 5, componentsX: 5, componentsY: 5, expected: "egDb@AEWNU%NEOnEWPb8jDW+ROj-j.aej^%7R;WXoiR=RVj:j:adk7"),
    ]

    /// r = (37x + 11y + s) % 256, g = (5x² + 23y + 3s) % 256, b = (255 − 19x − 13y + 7s) mod 256 (Python's %).
    static func pixels(width: Int, height: Int, seed: Int) -> [UInt8] {
        func mod(_ v: Int) -> UInt8 { UInt8(((v % 256) + 256) % 256) }
        var bytes: [UInt8] = []
        for y in 0..<height {
            for x in 0..<width {
                bytes += [mod(x * 37 + y * 11 + seed), mod(x * x * 5 + y * 23 + seed * 3), mod(255 - x * 19 - y * 13 + seed * 7)]
            }
        }
        return bytes
    }

    @Test("matches the reference algorithm", arguments: vectors)
    func referenceVectors(_ vector: Vector) {
        let hash = BlurHash.encode(
            pixels: Self.pixels(width: vector.width, height: vector.height, seed: vector.seed),
            width: vector.width, height: vector.height, componentsX: vector.componentsX, componentsY: vector.componentsY)
        #expect(hash == vector.expected)
    }

    @Test("a solid colour has no AC energy")
    func solid() {
        let pixels = [UInt8](repeating: 0, count: 8 * 6 * 3).enumerated().map { [200, 100, 50][$0.offset % 3] as UInt8 }
        #expect(BlurHash.encode(pixels: pixels, width: 8, height: 6) == "LVM|T9^4fQ^4}XsofQsofQfQfQfQ")
    }

    @Test("extra channels (alpha) are skipped")
    func alphaStride() {
        let rgb = Self.pixels(width: 7, height: 5, seed: 0)
        var rgba: [UInt8] = []
        for index in stride(from: 0, to: rgb.count, by: 3) { rgba += rgb[index..<(index + 3)] + [255] }
        #expect(BlurHash.encode(pixels: rgba, width: 7, height: 5, bytesPerPixel: 4) == "L+HKxZ9oN#%4x3NOt7e@RXoyahf9")
    }
}
