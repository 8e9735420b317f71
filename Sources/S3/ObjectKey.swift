/// A validated object key: the path of an object inside the bucket (`p/ab/cd/1080w.jpg`).
///
/// Keys reach S3 in a path-style URL, so segments that HTTP stacks normalise away (`.`, `..`, empty
/// segments from `//`, a leading `/`) are refused here rather than silently addressing another object.
public struct ObjectKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// S3's limit on the UTF-8 length of a key.
    public static let maxUTF8Length = 1024

    public let rawValue: String

    public init(_ rawValue: String) throws(S3Error) {
        guard let problem = Self.problem(with: rawValue) else {
            self.rawValue = rawValue
            return
        }
        throw S3Error(.invalidArgument, "invalid object key: \(problem)")
    }

    /// Why `candidate` cannot be a key, or nil when it can.
    static func problem(with candidate: String) -> String? {
        if candidate.isEmpty { return "empty" }
        if candidate.utf8.count > maxUTF8Length { return "longer than \(maxUTF8Length) UTF-8 bytes" }
        if candidate.hasPrefix("/") { return "starts with '/'" }
        if candidate.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            return "contains a control character"
        }
        for segment in candidate.split(separator: "/", omittingEmptySubsequences: false) {
            if segment.isEmpty { return "contains an empty path segment" }
            if segment == "." || segment == ".." { return "contains a '.' or '..' segment" }
        }
        return nil
    }

    /// This key with `suffix` appended (`p/abc` + `/1080w.jpg`), validated again.
    public func appending(_ suffix: String) throws(S3Error) -> ObjectKey {
        try ObjectKey(rawValue + suffix)
    }

    public var description: String { rawValue }

    public static func < (lhs: ObjectKey, rhs: ObjectKey) -> Bool {
        // S3 lists keys in UTF-8 binary order; Swift's String order differs for some scalars.
        lhs.rawValue.utf8.lexicographicallyPrecedes(rhs.rawValue.utf8)
    }
}
