/// Numbers sent as text (form fields, query parameters): plain decimal only.
///
/// Swift's own parsers take far more: `Double("0x10")` is 16, and `1e2`, `inf`, `nan` and `+1` all parse; `Int`
/// takes `+5`. One number would then have many spellings, and a typo could become a valid, different value.
public enum DecimalText {
    /// `-?[0-9]+(\.[0-9]+)?`, at most 32 characters.
    public static func double(_ text: some StringProtocol) -> Double? {
        let bytes = Array(text.utf8)
        guard bytes.count <= 32 else { return nil }
        var index = bytes.first == UInt8(ascii: "-") ? 1 : 0
        let integerDigits = digitRun(bytes, from: index)
        guard integerDigits > 0 else { return nil }
        index += integerDigits
        if index < bytes.count {
            guard bytes[index] == UInt8(ascii: "."), digitRun(bytes, from: index + 1) == bytes.count - index - 1, index + 1 < bytes.count else {
                return nil
            }
        }
        return Double(String(text))
    }

    /// `[0-9]+`, at most 18 digits (so it always fits an `Int`).
    public static func nonNegativeInt(_ text: some StringProtocol) -> Int? {
        let bytes = Array(text.utf8)
        guard (1...18).contains(bytes.count), digitRun(bytes, from: 0) == bytes.count else { return nil }
        return Int(String(text))
    }

    private static func digitRun(_ bytes: [UInt8], from start: Int) -> Int {
        var index = start
        while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
        return index - start
    }
}
