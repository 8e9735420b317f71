@testable import API
import NIOCore
import Testing

@Suite struct MultipartFormTests {
    static func body(_ boundary: String, _ parts: [(headers: String, body: [UInt8])], preamble: String = "") -> ByteBuffer {
        var buffer = ByteBuffer(string: preamble)
        for part in parts {
            buffer.writeString("--\(boundary)\r\n\(part.headers)\r\n\r\n")
            buffer.writeBytes(part.body)
            buffer.writeString("\r\n")
        }
        buffer.writeString("--\(boundary)--\r\n")
        return buffer
    }

    @Test func partsAreSlicesWithTheirNamesAndTypes() throws {
        // Binary data that contains CRLF, dashes and a near-boundary must come through byte for byte.
        let photo: [UInt8] = [0xFF, 0xD8, 13, 10, 45, 45, 0x62, 0x6F, 0x75, 0x6E, 0, 0xFF, 0xD9]
        let buffer = Self.body("b0und", [
            ("Content-Disposition: form-data; name=\"caption\"", Array("hello #tag".utf8)),
            ("Content-Disposition: form-data; name=\"photo\"; filename=\"a;b.jpg\"\r\nContent-Type: image/jpeg", photo),
        ], preamble: "ignored preamble\r\n")
        let form = try MultipartForm(parsing: buffer, boundary: "b0und")
        #expect(form.parts.map(\.name) == ["caption", "photo"])
        #expect(String(buffer: form.parts[0].body) == "hello #tag")
        let part = form.parts[1]
        #expect(part.filename == "a;b.jpg")
        #expect(part.contentType == "image/jpeg")
        #expect(Array(part.body.readableBytesView) == photo)
    }

    @Test func anEmptyPartIsEmpty() throws {
        let form = try MultipartForm(parsing: Self.body("x", [("Content-Disposition: form-data; name=\"caption\"", [])]), boundary: "x")
        #expect(form.parts.map(\.body.readableBytes) == [0])
    }

    @Test func partsBeyondTheLimitAreRefused() throws {
        let parts = (0..<5).map { ("Content-Disposition: form-data; name=\"f\($0)\"", Array("v".utf8)) }
        #expect(try MultipartForm(parsing: Self.body("x", parts), boundary: "x", maxParts: 5).parts.count == 5)
        #expect(throws: MultipartForm.ParseError.tooManyParts) { try MultipartForm(parsing: Self.body("x", parts), boundary: "x", maxParts: 4) }
    }

    @Test(arguments: [
        "no boundary at all",
        "--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nunterminated",
        "--x\r\nContent-Disposition: form-data\r\n\r\nno name\r\n--x--",
        "--x\r\nno headers end",
        "--xjunk",
    ])
    func malformedBodiesThrow(_ text: String) {
        #expect(throws: MultipartForm.ParseError.self) { try MultipartForm(parsing: ByteBuffer(string: text), boundary: "x") }
    }

    @Test(arguments: [
        ("multipart/form-data; boundary=abc", "abc"),
        ("multipart/form-data; charset=utf-8; boundary=\"a b;c\"", "a b;c"),
        ("Multipart/Form-Data;boundary=z", "z"),
        ("multipart/mixed; boundary=abc", nil),
        ("multipart/form-data", nil),
        ("image/jpeg", nil),
    ] as [(String, String?)])
    func boundaryParameter(_ contentType: String, _ expected: String?) {
        #expect(MultipartForm.boundary(contentType: contentType) == expected)
    }
}
