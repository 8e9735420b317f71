import Foundation
import NIOCore

/// `multipart/form-data` (RFC 7578) over a body already collected in one buffer.
///
/// Parts are slices of that buffer (ByteBuffer slices share its storage), so a 30 MB photo is never copied: the
/// upload holds exactly one copy of its bytes from the socket to the encoder. A streaming parser would have to
/// concatenate the chunks it emits, which is the copy this avoids.
public struct MultipartForm: Sendable {
    public struct Part: Sendable {
        public var name: String
        public var filename: String?
        public var contentType: String?
        public var body: ByteBuffer
    }

    public var parts: [Part]

    public enum ParseError: Error, Equatable {
        case missingBoundary
        case malformed(String)
        case tooManyParts
    }

    /// The boundary parameter of a `multipart/form-data` Content-Type; nil for any other type.
    public static func boundary(contentType: String) -> String? {
        let type = contentType.prefix { $0 != ";" }.trimmingASCIIWhitespace().lowercased()
        guard type == "multipart/form-data", let value = parameters(contentType).first(where: { $0.key == "boundary" })?.value else {
            return nil
        }
        // RFC 2046: 1–70 characters.
        return (1...70).contains(value.utf8.count) ? value : nil
    }

    /// `maxParts` bounds the work a body of many tiny parts can cause.
    public init(parsing body: ByteBuffer, boundary: String, maxParts: Int = .max) throws(ParseError) {
        let view = body.readableBytesView
        let delimiter = Array("--\(boundary)".utf8)
        let base = view.startIndex
        var parts: [Part] = []

        guard var cursor = Self.find(delimiter, in: view, from: base) else { throw .missingBoundary }
        cursor += delimiter.count
        while true {
            // After a delimiter: "--" closes the form, CRLF starts a part.
            if Self.matches(Array("--".utf8), in: view, at: cursor) { break }
            guard parts.count < maxParts else { throw .tooManyParts }
            guard Self.matches([13, 10], in: view, at: cursor) else { throw .malformed("no CRLF after a boundary") }
            cursor += 2
            guard let headerEnd = Self.find([13, 10, 13, 10], in: view, from: cursor) else { throw .malformed("part headers never end") }
            let headerText = String(decoding: view[cursor..<headerEnd], as: UTF8.self)
            let bodyStart = headerEnd + 4
            guard let next = Self.find([13, 10] + delimiter, in: view, from: bodyStart) else { throw .malformed("a part is not closed by the boundary") }
            let headers = try Self.parseHeaders(headerText)
            guard let slice = body.getSlice(at: body.readerIndex + (bodyStart - base), length: next - bodyStart) else {
                throw .malformed("part out of bounds")
            }
            parts.append(Part(name: headers.name, filename: headers.filename, contentType: headers.contentType, body: slice))
            cursor = next + 2 + delimiter.count
        }
        self.parts = parts
    }

    private static func parseHeaders(_ text: String) throws(ParseError) -> (name: String, filename: String?, contentType: String?) {
        var name: String?
        var filename: String?
        var contentType: String?
        for line in text.split(separator: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else { throw .malformed("a part header has no colon") }
            let field = line[..<colon].trimmingASCIIWhitespace().lowercased()
            let value = line[line.index(after: colon)...].trimmingASCIIWhitespace()
            switch field {
            case "content-disposition":
                for parameter in Self.parameters(value) {
                    switch parameter.key {
                    case "name": name = parameter.value
                    case "filename": filename = parameter.value
                    default: break
                    }
                }
            case "content-type":
                contentType = value
            default:
                break
            }
        }
        guard let name else { throw .malformed("a part has no name") }
        return (name, filename, contentType)
    }

    /// `form-data; name="photo"; filename="a;b.jpg"`: quoted values may contain `;`.
    static func parameters(_ value: String) -> [(key: String, value: String)] {
        var result: [(String, String)] = []
        var index = value.startIndex
        func skipSpaces() { while index < value.endIndex, value[index] == " " || value[index] == "\t" { index = value.index(after: index) } }
        while index < value.endIndex {
            while index < value.endIndex, value[index] != ";" { index = value.index(after: index) }
            guard index < value.endIndex else { break }
            index = value.index(after: index)
            skipSpaces()
            let keyStart = index
            while index < value.endIndex, value[index] != "=", value[index] != ";" { index = value.index(after: index) }
            let key = value[keyStart..<index].trimmingASCIIWhitespace().lowercased()
            guard index < value.endIndex, value[index] == "=" else { continue }
            index = value.index(after: index)
            var parsed = ""
            if index < value.endIndex, value[index] == "\"" {
                index = value.index(after: index)
                while index < value.endIndex, value[index] != "\"" {
                    if value[index] == "\\", value.index(after: index) < value.endIndex { index = value.index(after: index) }
                    parsed.append(value[index])
                    index = value.index(after: index)
                }
                if index < value.endIndex { index = value.index(after: index) }
            } else {
                let start = index
                while index < value.endIndex, value[index] != ";" { index = value.index(after: index) }
                parsed = value[start..<index].trimmingASCIIWhitespace()
            }
            result.append((key, parsed))
        }
        return result
    }

    private static func matches(_ needle: [UInt8], in view: ByteBufferView, at index: Int) -> Bool {
        guard index + needle.count <= view.endIndex else { return false }
        var i = index
        for byte in needle {
            if view[i] != byte { return false }
            i += 1
        }
        return true
    }

    /// First index of `needle` at or after `start` (memchr on the first byte, then compare).
    private static func find(_ needle: [UInt8], in view: ByteBufferView, from start: Int) -> Int? {
        guard let first = needle.first, view.endIndex - start >= needle.count else { return nil }
        return view.withUnsafeBytes { raw -> Int? in
            guard let base = raw.baseAddress else { return nil }
            var offset = start - view.startIndex
            let last = raw.count - needle.count
            while offset <= last {
                guard let hit = memchr(base + offset, Int32(first), last - offset + 1) else { return nil }
                let position = base.distance(to: UnsafeRawPointer(hit))
                if memcmp(base + position, needle, needle.count) == 0 { return view.startIndex + position }
                offset = position + 1
            }
            return nil
        }
    }
}

extension StringProtocol {
    func trimmingASCIIWhitespace() -> String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return String(slice)
    }
}
