import Foundation

/// Just enough XML for S3's flat answers (`<Error>`, `<ListBucketResult>`): element text by name,
/// repeated blocks, entity decoding. S3 bodies have no attributes we need, no nesting of the same
/// name and no mixed content, so a scanner beats pulling in libxml2 through FoundationXML.
enum S3XML {
    /// The text of the first `<name>...</name>` in `xml`, entities decoded; `""` for `<name/>`.
    static func text(of name: String, in xml: Substring) -> String? {
        guard let open = findOpenTag(name, in: xml) else { return nil }
        if open.selfClosing { return "" }
        guard let close = xml.range(of: "</\(name)>", range: open.end..<xml.endIndex) else { return nil }
        return decodeEntities(xml[open.end..<close.lowerBound])
    }

    static func text(of name: String, in xml: String) -> String? {
        text(of: name, in: xml[...])
    }

    /// The inner XML of every `<name>...</name>`, in document order.
    static func blocks(named name: String, in xml: Substring) -> [Substring] {
        var result: [Substring] = []
        var rest = xml
        while let open = findOpenTag(name, in: rest) {
            if open.selfClosing {
                result.append(rest[open.end..<open.end])
                rest = rest[open.end...]
                continue
            }
            guard let close = rest.range(of: "</\(name)>", range: open.end..<rest.endIndex) else { break }
            result.append(rest[open.end..<close.lowerBound])
            rest = rest[close.upperBound...]
        }
        return result
    }

    /// Finds `<name>`, `<name attr="...">` or `<name/>`, not `<nameSuffix>`.
    private static func findOpenTag(_ name: String, in xml: Substring) -> (end: Substring.Index, selfClosing: Bool)? {
        var searchStart = xml.startIndex
        while let found = xml.range(of: "<\(name)", range: searchStart..<xml.endIndex) {
            guard found.upperBound < xml.endIndex else { return nil }
            let next = xml[found.upperBound]
            if next == ">" || next == " " || next == "/" || next == "\t" || next == "\n" || next == "\r" {
                guard let gt = xml[found.upperBound...].firstIndex(of: ">") else { return nil }
                let selfClosing = xml[xml.index(before: gt)] == "/"
                return (xml.index(after: gt), selfClosing)
            }
            searchStart = found.upperBound
        }
        return nil
    }

    static func decodeEntities(_ text: Substring) -> String {
        guard text.contains("&") else { return String(text) }
        var out = ""
        var rest = text[...]
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            guard let semi = rest[amp...].firstIndex(of: ";"), rest.distance(from: amp, to: semi) <= 10 else {
                out.append("&")
                rest = rest[rest.index(after: amp)...]
                continue
            }
            let entity = rest[rest.index(after: amp)..<semi]
            if let decoded = decodeEntity(entity) {
                out.unicodeScalars.append(decoded)
            } else {
                out += rest[amp...semi]
            }
            rest = rest[rest.index(after: semi)...]
        }
        out += rest
        return out
    }

    private static func decodeEntity(_ entity: Substring) -> Unicode.Scalar? {
        switch entity {
        case "amp": return "&"
        case "lt": return "<"
        case "gt": return ">"
        case "quot": return "\""
        case "apos": return "'"
        default:
            if entity.hasPrefix("#x") || entity.hasPrefix("#X") {
                return UInt32(entity.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init)
            }
            if entity.hasPrefix("#") {
                return UInt32(entity.dropFirst()).flatMap(Unicode.Scalar.init)
            }
            return nil
        }
    }
}
