import API
import Foundation
import Storage
import Testing

struct SocialResponseTests {
    private func json(_ value: some Encodable) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: try JSONEncoder().encode(value)) as? [String: Any])
    }

    @Test func mediaJSONHasStringIDsAndExplicitNulls() throws {
        let id = try ShardedID(millisecondsSinceEpoch: 123, shard: 3, sequence: 7)
        let owner = try ShardedID(millisecondsSinceEpoch: 100, shard: 3, sequence: 1)
        let record = MediaRecord(
            id: id, ownerID: owner, contentSHA256: [], caption: "c", hashtags: ["a"], filter: "none", width: 10, height: 20,
            blurhash: nil, location: nil, capturedAt: nil, cameraMake: nil, cameraModel: nil, renditions: [], likeCount: 2,
            commentCount: 1, createdAt: Date(timeIntervalSince1970: 0), deletedAt: nil)
        let object = try json(MediaResponse(record))
        #expect(object["id"] as? String == id.description)
        #expect(object["owner_id"] as? String == owner.description)
        #expect(object["location"] is NSNull)
        #expect(object["blurhash"] is NSNull)
        #expect(object["like_count"] as? Int == 2)
        var located = record
        located.location = MediaLocation(latitude: 1.5, longitude: -2)
        #expect((try json(MediaResponse(located))["location"] as? [String: Double]) == ["lat": 1.5, "lng": -2])
    }

    @Test func pagesNameTheirListAndAlwaysCarryNextCursor() throws {
        let last = try json(PageResponse<String>("users", items: ["a"], nextCursor: nil))
        #expect(last["users"] as? [String] == ["a"])
        #expect(last["next_cursor"] is NSNull)
        let more = try JSONDecoder().decode(
            PageResponse<String>.self, from: try JSONEncoder().encode(PageResponse<String>("media", items: ["x", "y"], nextCursor: "42")))
        #expect(more.items == ["x", "y"])
        #expect(more.nextCursor == "42")
    }
}
