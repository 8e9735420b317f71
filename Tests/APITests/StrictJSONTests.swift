@testable import API
import Testing

@Suite struct StrictJSONTests {
    static func check(_ text: String) throws(StrictJSON.Violation) {
        try StrictJSON.check(Array(text.utf8))
    }

    @Test(arguments: [
        (#"{"text":"a","text":"b"}"#, "text"),
        (#"{"text":"a", "other":1, "text":"b"}"#, "text"),
        (#"{"a":{"b":1,"b":2}}"#, "b"),
        (#"[{"x":1},{"y":[1,{"z":0,"z":0}]}]"#, "z"),
        (#"{"text":"a","\u0074ext":"b"}"#, "text"),
        (#"{"username":"x","password":"y","username":"x"}"#, "username"),
    ])
    func aKeyGivenTwiceInOneObjectIsRefused(_ body: String, _ key: String) {
        #expect(throws: StrictJSON.Violation.duplicateKey(key)) { try Self.check(body) }
    }

    @Test(arguments: [
        #"{"a":"a","b":"a"}"#,
        #"{"a":{"a":1},"b":{"a":2}}"#,
        #"[{"a":1},{"a":2}]"#,
        #"{"a":"\"a\":","b":["a","a"]}"#,
        #"{"emoji":"\ud83d\udcf7","nul":"\u0000"}"#,
        #"{"k\"ey":1,"k\\ey":2}"#,
        "[]", "\"just a string\"", "{}",
    ])
    func distinctKeysPass(_ body: String) throws {
        try Self.check(body)
    }

    @Test(arguments: [#"{"text":"\ud83d"}"#, #"{"text":"\udcf7"}"#, #"{"text":"\ud83d\u0041"}"#, #"{"\ud800":1}"#])
    func unpairedSurrogateEscapesAreRefused(_ body: String) {
        #expect(throws: StrictJSON.Violation.unpairedSurrogate) { try Self.check(body) }
    }

    @Test func bytesThatAreNotUTF8AreRefused() {
        #expect(throws: StrictJSON.Violation.invalidUTF8) { try StrictJSON.check(Array(#"{"text":""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8)) }
    }

    @Test(arguments: [#"{"a":"#, #"{"a":"\"#, #"{"a":"\u12"#, "}}]]", #"{"a" "a"}"#])
    func malformedInputEndsTheScanWithoutACrash(_ body: String) {
        // The decoder reports malformed JSON; the scan only has to stop.
        _ = try? Self.check(body)
    }

    @Test func bodyLimitsFollowFromFieldLimits() {
        #expect(JSONRequestBody.limit(textFieldLimits: [2_200]) == 27_424)
        #expect(CommentsController.CommentRequest.bodyLimit == 27_424)
        #expect(SignupRequest.bodyLimit == 1_024 + (30 + 72 + 64) * 12)
    }
}

@Suite struct QueryStringTests {
    @Test func pairsArePercentDecodedToBytes() throws {
        let pairs = try QueryString.pairs("caption=caf%C3%A9+%23x&lat=1&flag&=v&%6C%6E%67=2")
        #expect(pairs.map(\.name) == ["caption", "lat", "flag", "", "lng"])
        #expect(pairs.map { String(decoding: $0.value, as: UTF8.self) } == ["café+#x", "1", "", "v", "2"])
        #expect(try QueryString.pairs("caption=%FF")[0].value == [0xFF], "invalid UTF-8 is left for the field to refuse")
        #expect(try QueryString.pairs(nil).isEmpty)
    }

    @Test(arguments: ["a=%", "a=%4", "a=%G0", "%zz=1", "a=%%41"])
    func malformedEscapesAreRefused(_ query: String) {
        #expect(throws: APIError.self) { try QueryString.pairs(query) }
    }

    @Test func formFieldsComeOnceAndAsUTF8() throws {
        var fields = FormFields(known: ["caption", "lat"])
        try fields.add("caption", Array("hi".utf8))
        try fields.add("unknown", [0xFF])
        try fields.add("unknown", [0xFF])
        #expect(fields["caption"] == "hi" && fields["unknown"] == nil)
        let repeated = try #require(throws: APIError.self) { try fields.add("caption", Array("again".utf8)) }
        #expect(repeated.code == .validationFailed && repeated.field == "caption")
        let invalid = try #require(throws: APIError.self) { try fields.add("lat", [0x31, 0xFF]) }
        #expect(invalid.code == .validationFailed && invalid.field == "lat")
    }
}
