@testable import API
import Storage
import Testing

@Suite struct OriginNameTests {
    @Test(arguments: [
        ("w1080.jpg", "w1080", "jpg"), ("sq150.webp", "sq150", "webp"),
    ])
    func validNames(_ name: String, _ preset: String, _ fileExtension: String) throws {
        let parsed = try #require(OriginController.parseName(name))
        #expect(parsed.preset == preset && parsed.fileExtension == fileExtension)
    }

    @Test(arguments: ["w1080.png", "W1080.jpg", "w1080", ".jpg", "w1080.jpg.jpg", "../w1080.jpg", "w10 80.jpg", "w1080.JPG", "aaaaaaaaaaaaaaaaa.jpg"])
    func everythingElseIsRefused(_ name: String) {
        #expect(OriginController.parseName(name) == nil)
    }
}

@Suite struct PathIDTests {
    @Test func theCanonicalSpellingParses() throws {
        let id = try ShardedID(millisecondsSinceEpoch: 123_456, shard: 3, sequence: 7)
        #expect(ShardedID(path: id.description) == id)
    }

    @Test(arguments: ["0", "-1", "", " 1", "1 ", "+1", "1e3", "18446744073709551616", "%31"])
    func malformedIdsAreNothing(_ text: String) {
        #expect(ShardedID(path: text) == nil)
    }

    @Test func leadingZerosAreNotTheSameResource() throws {
        let id = try ShardedID(millisecondsSinceEpoch: 123_456, shard: 3, sequence: 7)
        #expect(ShardedID(path: "0" + id.description) == nil)
        #expect(ShardedID(path: "000" + id.description) == nil)
    }
}
