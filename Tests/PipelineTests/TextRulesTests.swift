import Pipeline
import Testing

@Suite struct TextRulesTests {
    static func check(_ text: String, max: Int = 100, multiline: Bool = true) throws(TextRules.Violation) -> String {
        try TextRules.validated(text, field: "caption", maxCodePoints: max, multiline: multiline)
    }

    @Test(arguments: ["a\u{0}b", "\u{1}", "bell\u{7}", "lone\rreturn", "del\u{7F}", "c1\u{85}", "\u{9F}", "esc\u{1B}[31m"])
    func controlCharactersAreRefusedNamingTheField(_ text: String) throws {
        let violation = try #require(throws: TextRules.Violation.self) { try Self.check(text) }
        #expect(violation.field == "caption")
        #expect(violation.message.contains("control characters"))
    }

    @Test(arguments: ["line\nbreak", "tab\tstop", "👨‍👩‍👧 family (ZWJ)", "שלום", "right-to-left\u{200F}mark", ""])
    func textLinesTabsAndFormatCharactersPass(_ text: String) throws {
        #expect(try Self.check(text) == text)
    }

    @Test func oneLineFieldsRefuseNewlinesAndTabsToo() throws {
        #expect(throws: TextRules.Violation.self) { try Self.check("a\nb", multiline: false) }
        #expect(throws: TextRules.Violation.self) { try Self.check("a\tb", multiline: false) }
        #expect(try Self.check("Ada L.", multiline: false) == "Ada L.")
    }

    @Test func crlfLineBreaksBecomeLF() throws {
        #expect(try Self.check("one\r\ntwo\r\n") == "one\ntwo\n")
        #expect(throws: TextRules.Violation.self) { try Self.check("one\r\ntwo", multiline: false) }
    }

    @Test func lengthCountsCodePoints() throws {
        // é precomposed is one code point; e + combining acute is two (one grapheme cluster).
        #expect(try Self.check(String(repeating: "\u{E9}", count: 100)).unicodeScalars.count == 100)
        #expect(throws: TextRules.Violation.self) { try Self.check(String(repeating: "e\u{301}", count: 51)) }
        // A family emoji is one grapheme cluster of five code points.
        #expect(throws: TextRules.Violation.self) { try Self.check(String(repeating: "👨‍👩‍👧", count: 21)) }
        #expect(try Self.check(String(repeating: "👨‍👩‍👧", count: 20)).unicodeScalars.count == 100)
    }

    @Test(arguments: [
        [0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xE2, 0x82], [0xF4, 0x90, 0x80, 0x80], [0x61, 0x80, 0x62],
    ] as [[UInt8]])
    func invalidUTF8IsRefusedNotReplaced(_ bytes: [UInt8]) throws {
        let violation = try #require(throws: TextRules.Violation.self) { try TextRules.decodeUTF8(bytes, field: "caption") }
        #expect(violation.message == "caption is not valid UTF-8")
    }

    @Test func validUTF8Decodes() throws {
        #expect(try TextRules.decodeUTF8(Array("café 📷".utf8), field: "caption") == "café 📷")
    }
}

@Suite struct DecimalTextTests {
    @Test(arguments: [("37.74", 37.74), ("-119.53", -119.53), ("0", 0), ("90", 90), ("-0.5", -0.5), ("007", 7)])
    func plainDecimalsParse(_ text: String, _ value: Double) {
        #expect(DecimalText.double(text) == value)
    }

    @Test(arguments: ["0x10", "1e2", "inf", "nan", "+1", " 1", "1 ", "1.", ".5", "-", "", "1.2.3", "١٢", String(repeating: "1", count: 33)])
    func everythingElseIsRefused(_ text: String) {
        #expect(DecimalText.double(text) == nil)
        #expect(DecimalText.nonNegativeInt(text) == nil)
    }

    @Test func integersAreDigitsOnly() {
        #expect(DecimalText.nonNegativeInt("20") == 20)
        #expect(DecimalText.nonNegativeInt("-1") == nil)
        #expect(DecimalText.nonNegativeInt("2.0") == nil)
        #expect(DecimalText.nonNegativeInt(String(repeating: "9", count: 19)) == nil)
    }
}
