/// Hashtags in a caption or comment, Instagram style: `#` followed by letters, digits or `_`, up to 100 characters,
/// lower-cased, without duplicates, in order of first appearance. A `#` inside a word (`a#b`) starts no tag.
public enum HashtagParser {
    public static let maxTagLength = 100
    public static let maxTags = 30

    public static func tags(in text: String) -> [String] {
        var tags: [String] = []
        var seen = Set<String>()
        var previous: Character?
        var iterator = text.makeIterator()
        var pending: Character? = iterator.next()
        while let character = pending {
            pending = iterator.next()
            defer { previous = character }
            guard character == "#", !(previous.map(isTagCharacter) ?? false) else { continue }
            var tag = ""
            while let next = pending, isTagCharacter(next) {
                tag.append(next)
                pending = iterator.next()
            }
            // A run of digits alone (#1) is not a tag, as on Instagram.
            guard !tag.isEmpty, tag.count <= maxTagLength, !tag.allSatisfy(\.isNumber) else { continue }
            let lowered = tag.lowercased()
            if seen.insert(lowered).inserted {
                tags.append(lowered)
                if tags.count == maxTags { break }
            }
        }
        return tags
    }

    private static func isTagCharacter(_ character: Character) -> Bool {
        character == "_" || character.isLetter || character.isNumber
    }
}
