@testable import API
import Testing

@Suite struct EntityTagTests {
    @Test(arguments: [
        ("\"abc\"", EntityTag(opaque: "abc")),
        ("W/\"abc\"", EntityTag(opaque: "abc", isWeak: true)),
        ("  \"a,b\"  ", EntityTag(opaque: "a,b")),
        ("\"\"", EntityTag(opaque: "")),
    ])
    func readsOneTag(_ text: String, _ expected: EntityTag) {
        #expect(EntityTag(text) == expected)
        #expect(EntityTag(expected.description) == expected)
    }

    @Test(arguments: ["abc", "\"abc", "w/\"abc\"", "\"a\"b\"", "\"abc\" x", "\"a b\"", "*", ""])
    func refusesWhatIsNotOneTag(_ text: String) {
        #expect(EntityTag(text) == nil)
    }

    @Test func strongComparisonNeedsBothStrong() {
        let strong = EntityTag(opaque: "x")
        let weak = EntityTag(opaque: "x", isWeak: true)
        #expect(strong.strongMatches(strong))
        #expect(!strong.strongMatches(weak) && !weak.strongMatches(strong) && !weak.strongMatches(weak))
        #expect(strong.weakMatches(weak) && weak.weakMatches(weak))
        #expect(!strong.weakMatches(EntityTag(opaque: "y")))
    }

    /// If-None-Match against the current tag `"abc"` (weak comparison, RFC 9110 §13.1.2).
    @Test(arguments: [
        ("\"abc\"", true), ("W/\"abc\"", true), ("*", true), (" * ", true),
        ("\"x\", \"abc\"", true), ("\"x\",W/\"abc\"", true), ("\"x\", , \"abc\"", true), ("\"a,bc\", \"abc\"", true),
        ("\"abcd\"", false), ("\"ABC\"", false), ("\"x\", \"y\"", false), ("\"a,bc\"", false),
    ])
    func ifNoneMatchUsesWeakComparisonOverLists(_ header: String, _ matches: Bool) throws {
        let condition = try #require(EntityTag.Condition(header))
        #expect(condition.weaklyMatches(EntityTag(opaque: "abc")) == matches)
    }

    @Test(arguments: ["abc", "\"abc\" \"def\"", "", " , ", "*, \"abc\""])
    func anUnreadableConditionIsNil(_ header: String) {
        #expect(EntityTag.Condition(header) == nil)
    }
}
