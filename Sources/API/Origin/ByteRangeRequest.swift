import S3

/// A `Range` request header (RFC 9110 §14.2) for the one unit the origin serves, `bytes`.
enum ByteRangeRequest: Hashable, Sendable {
    /// One range: answered 206, or 416 when it selects nothing of the representation.
    case single(ObjectRange)
    /// More than one range. `multipart/byteranges` is optional (§14.6); the origin answers 200 with the whole
    /// representation, which CDNs accept, rather than build multipart bodies nobody in front of it asks for.
    case multiple

    /// Nil for anything that is not a valid `bytes` range set: another unit, a backwards range (`5-3`), stray
    /// characters. A server ignores a Range it cannot read (§14.2) and answers 200, so nil means "no Range".
    init?(_ text: String) {
        let trimmed = text.trimmingASCIIWhitespace()
        guard let equals = trimmed.firstIndex(of: "="), trimmed[..<equals].lowercased() == "bytes" else { return nil }
        var ranges: [ObjectRange] = []
        // `1#range-spec`: empty list elements are allowed and skipped (RFC 9110 §5.6.1).
        for element in trimmed[trimmed.index(after: equals)...].split(separator: ",", omittingEmptySubsequences: false) {
            let spec = element.trimmingASCIIWhitespace()
            if spec.isEmpty { continue }
            guard let range = Self.rangeSpec(spec) else { return nil }
            ranges.append(range)
        }
        switch ranges.count {
        case 0: return nil
        case 1: self = .single(ranges[0])
        default: self = .multiple
        }
    }

    /// `first-last`, `first-` or `-suffixLength`, digits only.
    private static func rangeSpec(_ spec: String) -> ObjectRange? {
        let parts = spec.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        func number(_ text: Substring) -> Int? {
            guard !text.isEmpty, text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return nil }
            return Int(text)
        }
        switch (parts[0].isEmpty, parts[1].isEmpty) {
        case (true, true):
            return nil
        case (true, false):
            return number(parts[1]).map { .suffix(length: $0) }
        case (false, true):
            return number(parts[0]).map { .from(first: $0) }
        case (false, false):
            guard let first = number(parts[0]), let last = number(parts[1]), last >= first else { return nil }
            return .closed(first: first, last: last)
        }
    }
}
