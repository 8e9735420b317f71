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
        let rendition = StoredRendition(
            preset: "w320", fileExtension: "webp", contentType: "image/webp", width: 320, height: 240, size: 1000,
            key: "public/m/\(id)/w320-0123456789abcdef.webp", sha256: String(repeating: "0", count: 64))
        let new = NewMedia(
            id: id, ownerID: owner, contentSHA256: [], caption: "c", hashtags: ["a"], filter: "none", width: 10, height: 20,
            blurhash: nil, location: nil, capturedAt: nil, cameraMake: nil, cameraModel: nil, renditions: [rendition])
        let record = MediaRecord(new, likeCount: 2, commentCount: 1, createdAt: Date(timeIntervalSince1970: 0))
        let object = try json(MediaResponse(record, cdnBaseURL: "https://cdn.example"))
        #expect(object["id"] as? String == id.description)
        #expect(object["owner_id"] as? String == owner.description)
        #expect(object["location"] is NSNull)
        #expect(object["blurhash"] is NSNull)
        #expect(object["captured_at"] is NSNull)
        #expect(object["like_count"] as? Int == 2)
        let renditions = try #require(object["renditions"] as? [[String: Any]])
        #expect(renditions.first?["url"] as? String == "https://cdn.example/m/\(id)/w320.webp")
        #expect(renditions.first?["key"] == nil, "object keys never reach a client")
        var located = record
        located.location = MediaLocation(latitude: 1.5, longitude: -2)
        #expect((try json(MediaResponse(located, cdnBaseURL: "https://cdn.example"))["location"] as? [String: Double]) == ["lat": 1.5, "lng": -2])
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
