/// The rule every free-text field a user sends follows (caption, comment text, display name), wherever it arrives
/// from (JSON, multipart, query): valid UTF-8, no control characters, and a length in Unicode code points.
///
/// Code points, not grapheme clusters: their count is the same in every language runtime and Unicode version (a
/// client and the server agree on what 2,200 means), it is PostgreSQL's `char_length`, and it bounds the bytes: a
/// code point is at most 4 bytes of UTF-8 and at most 12 bytes of JSON (`\uXXXX\uXXXX`), so body limits follow from
/// field limits. A grapheme count would let one "character" carry thousands of combining marks.
public enum TextRules {
    /// The longest JSON spelling of one code point: a surrogate pair of `\u` escapes.
    public static let maxJSONBytesPerCodePoint = 12
    public static let maxUTF8BytesPerCodePoint = 4

    /// Why a text was refused, naming the field; the API turns it into 400 `validation_failed`.
    public struct Violation: Error, Sendable, Equatable {
        public var field: String
        public var message: String
    }

    /// `text` if it follows the rule, with CRLF line breaks made LF (browsers send CRLF from a `<textarea>`).
    ///
    /// Control characters (Unicode category Cc: C0, DEL, C1) are refused, except line feed and tab when
    /// `multiline`. NUL in particular: PostgreSQL cannot store it in `text`, and C libraries stop at it.
    public static func validated(_ text: String, field: String, maxCodePoints: Int, multiline: Bool) throws(Violation) -> String {
        let normalised = multiline && text.utf8.contains(13) ? text.replacing("\r\n", with: "\n") : text
        var count = 0
        for scalar in normalised.unicodeScalars {
            count += 1
            if scalar.properties.generalCategory == .control, !(multiline && (scalar == "\n" || scalar == "\t")) {
                let hex = String(scalar.value, radix: 16, uppercase: true)
                let code = "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
                throw Violation(field: field, message: "\(field) must not contain control characters (found \(code))")
            }
        }
        guard count <= maxCodePoints else {
            throw Violation(field: field, message: "\(field) must be at most \(maxCodePoints) characters (Unicode code points)")
        }
        return normalised
    }

    /// Bytes as a string only when they are valid UTF-8: nothing is silently replaced by U+FFFD.
    public static func decodeUTF8(_ bytes: some Collection<UInt8>, field: String) throws(Violation) -> String {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw Violation(field: field, message: "\(field) is not valid UTF-8")
        }
        return text
    }
}
