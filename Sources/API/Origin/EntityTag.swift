/// An entity tag (RFC 9110 §8.8.3): `"opaque"` (strong) or `W/"opaque"` (weak).
struct EntityTag: Hashable, Sendable, CustomStringConvertible {
    var opaque: String
    var isWeak: Bool

    init(opaque: String, isWeak: Bool = false) {
        self.opaque = opaque
        self.isWeak = isWeak
    }

    /// One tag, e.g. an `If-Range` value; nil unless the whole text is a tag.
    init?(_ text: String) {
        var scanner = Scanner(Substring(text))
        scanner.skipWhitespace()
        guard let tag = scanner.entityTag() else { return nil }
        scanner.skipWhitespace()
        guard scanner.isAtEnd else { return nil }
        self = tag
    }

    var description: String { (isWeak ? "W/" : "") + "\"" + opaque + "\"" }

    /// Strong comparison (§8.8.3.2): both strong and the same characters. `If-Range` uses it.
    func strongMatches(_ other: EntityTag) -> Bool { !isWeak && !other.isWeak && opaque == other.opaque }

    /// Weak comparison: the same characters, whether weak or not. `If-None-Match` uses it.
    func weakMatches(_ other: EntityTag) -> Bool { opaque == other.opaque }

    /// An `If-None-Match` / `If-Match` value: `*` or a list of tags (§13.1.1, §13.1.2).
    enum Condition: Hashable, Sendable {
        case any
        case tags([EntityTag])

        /// Nil when the value is not a valid list; a condition that cannot be read is ignored by the caller
        /// rather than guessed at. Several header lines are one list, joined with commas.
        init?(_ text: String) {
            let trimmed = text.trimmingASCIIWhitespace()
            if trimmed == "*" {
                self = .any
                return
            }
            var scanner = Scanner(Substring(trimmed))
            var tags: [EntityTag] = []
            // `#entity-tag`: empty elements (`a, , b`) are allowed and skipped (RFC 9110 §5.6.1).
            while true {
                scanner.skipWhitespace()
                if scanner.isAtEnd { break }
                if scanner.consume(",") { continue }
                guard let tag = scanner.entityTag() else { return nil }
                tags.append(tag)
                scanner.skipWhitespace()
                guard scanner.isAtEnd || scanner.consume(",") else { return nil }
            }
            guard !tags.isEmpty else { return nil }
            self = .tags(tags)
        }

        /// True when the current representation's `tag` is named (weak comparison) or the condition is `*`.
        func weaklyMatches(_ tag: EntityTag) -> Bool {
            switch self {
            case .any: true
            case .tags(let tags): tags.contains { $0.weakMatches(tag) }
            }
        }
    }

    /// Reads entity tags out of a header value. `etagc` allows `,` and excludes only `"` and controls, so a list
    /// cannot be split on commas before the quotes are found.
    private struct Scanner {
        var rest: Substring

        init(_ text: Substring) { rest = text }

        var isAtEnd: Bool { rest.isEmpty }

        mutating func skipWhitespace() {
            while let c = rest.first, c == " " || c == "\t" { rest.removeFirst() }
        }

        mutating func consume(_ prefix: String) -> Bool {
            guard rest.hasPrefix(prefix) else { return false }
            rest.removeFirst(prefix.count)
            return true
        }

        mutating func entityTag() -> EntityTag? {
            let saved = rest
            let isWeak = consume("W/")
            guard consume("\"") else {
                rest = saved
                return nil
            }
            var opaque = ""
            while let c = rest.first {
                rest.removeFirst()
                if c == "\"" { return EntityTag(opaque: opaque, isWeak: isWeak) }
                // etagc = %x21 / %x23-7E / obs-text
                guard let scalar = c.unicodeScalars.first, c.unicodeScalars.count == 1,
                      scalar.value == 0x21 || (0x23...0x7E).contains(scalar.value) || scalar.value >= 0x80
                else { break }
                opaque.append(c)
            }
            rest = saved
            return nil
        }
    }
}
