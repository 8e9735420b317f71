import Storage
import Testing

@Suite struct MediaKeysTests {
    static let id = ShardedID(rawValue: 123_456_789_012)

    /// The sweeper decides per media id: only keys under a media prefix with a well-formed id name one.
    @Test(arguments: [
        (MediaKeys.rendition(mediaID: id, preset: "w320", fileExtension: "jpg", sha256Hex: String(repeating: "a", count: 64)), id as ShardedID?),
        (MediaKeys.original(mediaID: id, contentSHA256Hex: String(repeating: "b", count: 64)), id),
        ("public/m/\(id)/", nil),
        ("public/m/\(id)", nil),
        ("public/m/-5/x.jpg", nil),
        ("public/m/abc/x.jpg", nil),
        ("public/x/\(id)/x.jpg", nil),
        ("test/work/\(id)/a.jpg", nil),
    ])
    func mediaIDOfAKey(_ key: String, _ expected: ShardedID?) {
        #expect(MediaKeys.mediaID(of: key) == expected)
    }

    @Test func failpointsAreArmedByNameOnly() throws {
        #expect(try Failpoints(parsing: "").armed.isEmpty)
        #expect(try Failpoints(parsing: " media.timeout_before_commit ,").armed == [.mediaTimeoutBeforeCommit])
        #expect(throws: StorageError.self) { try Failpoints(parsing: "media.commit_answer_lost,nope") }
    }
}
