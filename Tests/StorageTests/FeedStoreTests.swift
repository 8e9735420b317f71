import Storage
import Testing

struct FeedStoreTests {
    /// The feed's order is the members' byte order: it must equal the ids' numeric (= time) order, also across a
    /// change in digit count and up to the largest unsigned id.
    @Test func membersSortLikeTheirIds() throws {
        let ids: [ShardedID] = [
            ShardedID(rawValue: 1), ShardedID(rawValue: 9), ShardedID(rawValue: 10), ShardedID(rawValue: 999_999_999_999_999_999),
            ShardedID(rawValue: 1_000_000_000_000_000_000), try ShardedID(millisecondsSinceEpoch: (1 << 41) - 1, shard: 8191, sequence: 1023),
        ]
        let members = ids.map(FeedStore.member)
        #expect(members.allSatisfy { $0.utf8.count == 20 })
        #expect(members == members.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
        #expect(members.map { ShardedID(string: $0) } == ids)
        // The completeness sentinel sorts above every member.
        #expect(members.allSatisfy { Array($0.utf8).lexicographicallyPrecedes(Array("~".utf8)) })
    }
}
