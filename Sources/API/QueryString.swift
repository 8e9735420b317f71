/// A raw query string (`a=1&b=%C3%A9`) as name and value bytes, percent-decoded strictly: Hummingbird's
/// `queryParameters` turns bytes that are not UTF-8 into U+FFFD and keeps a malformed escape as it came, and text
/// fields must refuse both. `+` stays `+`, as it always has here.
enum QueryString {
    static func pairs(_ query: String?) throws(APIError) -> [(name: String, value: [UInt8])] {
        guard let query else { return [] }
        var pairs: [(name: String, value: [UInt8])] = []
        for item in query.utf8.split(separator: UInt8(ascii: "&")) {
            let equals = item.firstIndex(of: UInt8(ascii: "=")) ?? item.endIndex
            guard let name = percentDecoded(item[..<equals]),
                  let value = percentDecoded(equals == item.endIndex ? item[equals...] : item[item.index(after: equals)...])
            else { throw APIError(.badRequest, "the query string has a malformed percent-escape") }
            pairs.append((String(decoding: name, as: UTF8.self), value))
        }
        return pairs
    }

    /// nil when a `%` is not followed by two hex digits.
    static func percentDecoded(_ bytes: Substring.UTF8View.SubSequence) -> [UInt8]? {
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            index = bytes.index(after: index)
            guard byte == UInt8(ascii: "%") else {
                result.append(byte)
                continue
            }
            guard index < bytes.endIndex, let high = HexDigit.value(bytes[index]) else { return nil }
            index = bytes.index(after: index)
            guard index < bytes.endIndex, let low = HexDigit.value(bytes[index]) else { return nil }
            index = bytes.index(after: index)
            result.append(high << 4 | low)
        }
        return result
    }
}
