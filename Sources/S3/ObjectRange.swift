/// A byte range of an object, as in an HTTP `Range: bytes=...` header (one range only).
public enum ObjectRange: Hashable, Sendable, CustomStringConvertible {
    /// Bytes `first...last`, inclusive; `last` past the end is clipped by the server.
    case closed(first: Int, last: Int)
    /// From `first` to the end.
    case from(first: Int)
    /// The last `length` bytes.
    case suffix(length: Int)

    /// The `Range` header value, e.g. `bytes=0-9`.
    public var headerValue: String {
        switch self {
        case .closed(let first, let last): "bytes=\(first)-\(last)"
        case .from(let first): "bytes=\(first)-"
        case .suffix(let length): "bytes=-\(length)"
        }
    }

    public var description: String { headerValue }

    /// Refuses ranges no server could satisfy for any object, before a request is spent on them.
    public func validate() throws(S3Error) {
        switch self {
        case .closed(let first, let last) where first >= 0 && last >= first: return
        case .from(let first) where first >= 0: return
        case .suffix(let length) where length > 0: return
        default: throw S3Error(.invalidArgument, "malformed byte range \(headerValue)")
        }
    }

    /// The inclusive bounds this range selects from an object of `size` bytes, or nil when it is
    /// unsatisfiable (RFC 9110 §14.1.2, what S3 answers 416 to).
    public func bounds(forSize size: Int) -> ClosedRange<Int>? {
        guard size > 0 else { return nil }
        switch self {
        case .closed(let first, let last):
            guard first >= 0, last >= first, first < size else { return nil }
            return first...min(last, size - 1)
        case .from(let first):
            guard first >= 0, first < size else { return nil }
            return first...(size - 1)
        case .suffix(let length):
            guard length > 0 else { return nil }
            return max(0, size - length)...(size - 1)
        }
    }
}

/// A parsed `Content-Range: bytes first-last/total` response header.
public struct ContentRange: Hashable, Sendable, CustomStringConvertible {
    public var first: Int
    public var last: Int
    /// The full object size, nil when the server sent `*`.
    public var total: Int?

    public init(first: Int, last: Int, total: Int?) {
        self.first = first
        self.last = last
        self.total = total
    }

    public init?(headerValue: String) {
        let trimmed = headerValue.trimmingASCIIWhitespace()
        guard trimmed.hasPrefix("bytes ") else { return nil }
        let spec = trimmed.dropFirst("bytes ".count)
        let parts = spec.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        let bounds = parts[0].split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard bounds.count == 2, let first = Int(bounds[0]), let last = Int(bounds[1]), first >= 0, last >= first else {
            return nil
        }
        if parts[1] == "*" {
            self.init(first: first, last: last, total: nil)
        } else {
            guard let total = Int(parts[1]), total > last else { return nil }
            self.init(first: first, last: last, total: total)
        }
    }

    public var headerValue: String { "bytes \(first)-\(last)/\(total.map(String.init) ?? "*")" }
    public var description: String { headerValue }
}

extension StringProtocol {
    func trimmingASCIIWhitespace() -> String {
        var view = Substring(self)
        while let c = view.first, c == " " || c == "\t" || c == "\n" || c == "\r" { view.removeFirst() }
        while let c = view.last, c == " " || c == "\t" || c == "\n" || c == "\r" { view.removeLast() }
        return String(view)
    }
}
