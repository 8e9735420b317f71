#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// BlurHash encoder (https://blurha.sh), a straight port of the reference algorithm (woltapp/blurhash).
/// Checked in the tests against the Python `blurhash` package's output on the same pixels.
public enum BlurHash {
    /// Encodes packed 8-bit sRGB pixels (`bytesPerPixel` ≥ 3; extra channels, e.g. alpha, are ignored).
    public static func encode(
        pixels: [UInt8], width: Int, height: Int, bytesPerPixel: Int = 3, componentsX: Int = 4, componentsY: Int = 3
    ) -> String {
        precondition((1...9).contains(componentsX) && (1...9).contains(componentsY), "1...9 components per axis")
        precondition(width > 0 && height > 0 && pixels.count >= width * height * bytesPerPixel, "pixel buffer too small")

        let linear = (0..<256).map { sRGBToLinear($0) }
        // cos tables: one row per component, one column per pixel position.
        let cosX = (0..<componentsX).map { i in (0..<width).map { x in cos(Double.pi * Double(i) * Double(x) / Double(width)) } }
        let cosY = (0..<componentsY).map { j in (0..<height).map { y in cos(Double.pi * Double(j) * Double(y) / Double(height)) } }

        var factors: [(Double, Double, Double)] = []
        factors.reserveCapacity(componentsX * componentsY)
        for j in 0..<componentsY {
            for i in 0..<componentsX {
                let normalisation = (i == 0 && j == 0) ? 1.0 : 2.0
                var r = 0.0, g = 0.0, b = 0.0
                for y in 0..<height {
                    let rowBasis = normalisation * cosY[j][y]
                    var offset = y * width * bytesPerPixel
                    for x in 0..<width {
                        let basis = rowBasis * cosX[i][x]
                        r += basis * linear[Int(pixels[offset])]
                        g += basis * linear[Int(pixels[offset + 1])]
                        b += basis * linear[Int(pixels[offset + 2])]
                        offset += bytesPerPixel
                    }
                }
                let scale = 1.0 / Double(width * height)
                factors.append((r * scale, g * scale, b * scale))
            }
        }

        var hash = base83((componentsX - 1) + (componentsY - 1) * 9, length: 1)
        let ac = factors.dropFirst()
        let maximumValue: Double
        if ac.isEmpty {
            maximumValue = 1
            hash += base83(0, length: 1)
        } else {
            let actualMaximum = ac.map { max(abs($0.0), abs($0.1), abs($0.2)) }.max() ?? 0
            let quantisedMaximum = Int(max(0, min(82, (actualMaximum * 166 - 0.5).rounded(.down))))
            maximumValue = Double(quantisedMaximum + 1) / 166
            hash += base83(quantisedMaximum, length: 1)
        }
        let dc = factors[0]
        hash += base83((linearToSRGB(dc.0) << 16) + (linearToSRGB(dc.1) << 8) + linearToSRGB(dc.2), length: 4)
        for factor in ac {
            let value = quantiseAC(factor.0, maximumValue) * 19 * 19
                + quantiseAC(factor.1, maximumValue) * 19
                + quantiseAC(factor.2, maximumValue)
            hash += base83(value, length: 2)
        }
        return hash
    }

    private static func quantiseAC(_ value: Double, _ maximumValue: Double) -> Int {
        Int(max(0, min(18, (signPow(value / maximumValue, 0.5) * 9 + 9.5).rounded(.down))))
    }

    private static func signPow(_ value: Double, _ exponent: Double) -> Double {
        let magnitude = pow(abs(value), exponent)
        return value < 0 ? -magnitude : magnitude
    }

    private static func sRGBToLinear(_ value: Int) -> Double {
        let v = Double(value) / 255
        return v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4)
    }

    private static func linearToSRGB(_ value: Double) -> Int {
        let v = max(0, min(1, value))
        if v <= 0.0031308 { return Int(v * 12.92 * 255 + 0.5) }
        return Int((1.055 * pow(v, 1 / 2.4) - 0.055) * 255 + 0.5)
    }

    private static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~")

    private static func base83(_ value: Int, length: Int) -> String {
        var result = ""
        var divisor = 1
        for _ in 1..<max(length, 1) { divisor *= 83 }
        for _ in 0..<length {
            result.append(alphabet[(value / divisor) % 83])
            divisor /= 83
        }
        return result
    }
}
