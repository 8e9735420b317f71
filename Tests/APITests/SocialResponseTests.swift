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
        let object = try json(MediaResponse(record, viewer: owner, cdnBaseURL: "https://cdn.example"))
        #expect(object["id"] as? String == id.description)
        #expect(object["owner_id"] as? String == owner.description)
        #expect(object["location"] is NSNull)
        #expect(object["blurhash"] is NSNull)
        #expect(object["captured_at"] is NSNull)
        #expect(object["exif_location"] is NSNull)
        #expect(object["like_count"] as? Int == 2)
        let renditions = try #require(object["renditions"] as? [[String: Any]])
        #expect(renditions.first?["url"] as? String == "https://cdn.example/m/\(id)/w320.webp")
        #expect(renditions.first?["key"] == nil, "object keys never reach a client")
        var located = record
        located.location = MediaLocation(latitude: 1.5, longitude: -2)
        #expect((try json(MediaResponse(located, viewer: nil, cdnBaseURL: "https://cdn.example"))["location"] as? [String: Double]) == ["lat": 1.5, "lng": -2])
    }

    enum Viewer: String, CaseIterable { case owner, otherUser, anonymous }

    /// EXIF GPS and capture time are the owner's alone: absent (not even null) from anyone else's view.
    @Test(arguments: Viewer.allCases)
    func exifFactsAreShownToTheOwnerOnly(_ viewer: Viewer) throws {
        let id = try ShardedID(millisecondsSinceEpoch: 123, shard: 3, sequence: 7)
        let owner = try ShardedID(millisecondsSinceEpoch: 100, shard: 3, sequence: 1)
        let other = try ShardedID(millisecondsSinceEpoch: 100, shard: 4, sequence: 1)
        let new = NewMedia(
            id: id, ownerID: owner, contentSHA256: [], caption: "", hashtags: [], filter: "none", width: 10, height: 20,
            blurhash: nil, location: nil, exifLocation: MediaLocation(latitude: 48.85, longitude: 2.29),
            capturedAt: Date(timeIntervalSince1970: 1_000_000), cameraMake: nil, cameraModel: nil, renditions: [])
        let record = MediaRecord(new, createdAt: Date(timeIntervalSince1970: 0))
        let asking: ShardedID? = switch viewer {
        case .owner: owner
        case .otherUser: other
        case .anonymous: nil
        }
        let response = MediaResponse(record, viewer: asking, cdnBaseURL: "https://cdn.example")
        let object = try json(response)
        #expect(object["location"] is NSNull, "nothing public")
        if viewer == .owner {
            #expect(object["exif_location"] as? [String: Double] == ["lat": 48.85, "lng": 2.29])
            #expect(object["captured_at"] as? String == "1970-01-12T13:46:40Z")
        } else {
            #expect(object["exif_location"] == nil)
            #expect(object["captured_at"] == nil)
        }
        let decoded = try JSONDecoder().decode(MediaResponse.self, from: try JSONEncoder().encode(response))
        #expect(decoded == response, "clients read back what was sent")
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
