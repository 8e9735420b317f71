import Pipeline
import Testing

@Suite struct HashtagParserTests {
    @Test(arguments: [
        ("Sunset at #Beach with #friends and #beach again", ["beach", "friends"]),
        ("#one#two", ["one", "two"]),
        ("no tags here", []),
        ("mail me at a#b.com", []),
        ("#1 is not a tag but #1st is", ["1st"]),
        ("#café au lait #東京", ["café", "東京"]),
        ("trailing #", []),
        ("#snake_case, #dash-ed", ["snake_case", "dash"]),
    ])
    func tags(_ caption: String, _ expected: [String]) {
        #expect(HashtagParser.tags(in: caption) == expected)
    }

    @Test func tagsAreCappedInCountAndLength() {
        let many = (0..<50).map { "#t\($0)" }.joined(separator: " ")
        #expect(HashtagParser.tags(in: many).count == HashtagParser.maxTags)
        let long = "#" + String(repeating: "a", count: HashtagParser.maxTagLength + 1)
        #expect(HashtagParser.tags(in: long).isEmpty)
    }
}
