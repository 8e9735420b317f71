/// What `JSONDecoder` lets through and a request body must not have, found in one pass over its bytes before
/// decoding: a key given twice in one object (the decoder silently keeps the last, so two readers of the same body
/// can see different values), bytes that are not UTF-8, and a `\u` escape naming half of a surrogate pair.
///
/// It checks nothing else: the decoder still parses the body and reports anything malformed, so on malformed input
/// this scan only has to stop, not to be right.
enum StrictJSON {
    enum Violation: Error, Equatable {
        case invalidUTF8
        case unpairedSurrogate
        case duplicateKey(String)
    }

    static func check(_ bytes: [UInt8]) throws(Violation) {
        guard String(validating: bytes, as: UTF8.self) != nil else { throw .invalidUTF8 }
        // One entry per open container: the keys seen so far in an object, nil for an array.
        var containers: [Set<String>?] = []
        var expectingKey = false
        var index = 0
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "{"):
                containers.append([])
                expectingKey = true
            case UInt8(ascii: "["):
                containers.append(nil)
                expectingKey = false
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                _ = containers.popLast()
                expectingKey = false
            case UInt8(ascii: ","):
                expectingKey = containers.last.map { $0 != nil } ?? false
            case UInt8(ascii: "\""):
                var key: [UInt8]? = expectingKey ? [] : nil
                index = try endOfString(bytes, from: index + 1, decodingInto: &key)
                if let key, let top = containers.indices.last {
                    let name = String(decoding: key, as: UTF8.self)
                    guard containers[top]?.insert(name).inserted != false else { throw .duplicateKey(name) }
                }
                expectingKey = false
                continue
            default:
                break
            }
            index += 1
        }
    }

    /// The index after the closing quote of the string whose content starts at `start`; its decoded UTF-8 is
    /// appended to `decoded` when that is not nil (keys are compared decoded: `"a"` and `"\u0061"` are one key).
    private static func endOfString(_ bytes: [UInt8], from start: Int, decodingInto decoded: inout [UInt8]?) throws(Violation) -> Int {
        var index = start
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") { return index + 1 }
            guard byte == UInt8(ascii: "\\"), index + 1 < bytes.count else {
                decoded?.append(byte)
                index += 1
                continue
            }
            let escape = bytes[index + 1]
            index += 2
            switch escape {
            case UInt8(ascii: "u"):
                guard let unit = hexUnit(bytes, at: index) else { continue }
                index += 4
                var scalar = Unicode.Scalar(unit)
                if (0xD800...0xDBFF).contains(unit) {
                    guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u"),
                          let low = hexUnit(bytes, at: index + 2), (0xDC00...0xDFFF).contains(low)
                    else { throw .unpairedSurrogate }
                    index += 6
                    scalar = Unicode.Scalar(0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00))
                } else if (0xDC00...0xDFFF).contains(unit) {
                    throw .unpairedSurrogate
                }
                if let scalar { decoded?.append(contentsOf: String(scalar).utf8) }
            case UInt8(ascii: "b"): decoded?.append(8)
            case UInt8(ascii: "f"): decoded?.append(12)
            case UInt8(ascii: "n"): decoded?.append(10)
            case UInt8(ascii: "r"): decoded?.append(13)
            case UInt8(ascii: "t"): decoded?.append(9)
            default: decoded?.append(escape)
            }
        }
        return index
    }

    private static func hexUnit(_ bytes: [UInt8], at start: Int) -> UInt16? {
        guard start + 4 <= bytes.count else { return nil }
        var value: UInt16 = 0
        for byte in bytes[start..<start + 4] {
            guard let digit = HexDigit.value(byte) else { return nil }
            value = value << 4 | UInt16(digit)
        }
        return value
    }
}
