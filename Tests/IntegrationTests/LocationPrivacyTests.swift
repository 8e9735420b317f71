import API
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PostgresNIO
import Runtime
import S3
import Storage
import TestSupport
import Testing

/// Where a photo was taken is private unless its uploader says otherwise (issue 10 §1): EXIF GPS and capture time go
/// to the owner alone, the public location and the `geo` stage get only what the uploader sent or opted in to.
@Suite(.timeLimit(.minutes(5)))
struct LocationPrivacyTests {
    /// facts_gps_camera.jpg's EXIF (testimages/MANIFEST.tsv).
    static let exifGPS = MediaResponse.Location(lat: -22.9519, lng: -43.2105)
    static let exifCapturedAt = "2012-04-09T16:37:42Z"

    struct Case: Sendable, CustomTestStringConvertible {
        var photo: String
        var fields: [String: String]
        /// The public location expected; nil: none.
        var published: MediaResponse.Location?
        var photoHasGPS: Bool
        var testDescription: String { "\(photo) \(fields.sorted { $0.key < $1.key })" }
    }

    @Test(arguments: [
        Case(photo: "facts_gps_camera.jpg", fields: [:], published: nil, photoHasGPS: true),
        Case(photo: "facts_gps_camera.jpg", fields: ["location": "exif"], published: exifGPS, photoHasGPS: true),
        Case(photo: "facts_gps_camera.jpg", fields: ["lat": "48.8584", "lng": "2.2945"], published: .init(lat: 48.8584, lng: 2.2945), photoHasGPS: true),
        // Opting in to a GPS the photo does not have is no error: the upload simply has no location.
        Case(photo: "orient_1.jpg", fields: ["location": "exif"], published: nil, photoHasGPS: false),
        Case(photo: "orient_1.jpg", fields: ["lat": "1.5", "lng": "2.5"], published: .init(lat: 1.5, lng: 2.5), photoHasGPS: false),
    ])
    func locationIsPublicOnlyWhenTheUploaderSaysSo(_ test: Case) async throws {
        try await AccountStack.run { stack, client in
            let (owner, token) = try await client.newSession(AccountStack.uniqueName("loc"))
            let (_, otherToken) = try await client.newSession(AccountStack.uniqueName("peek"))
            let answer = try await client.upload(try UploadIntegrationTests.bytes(test.photo), fields: test.fields, token: token)
            try #require(answer.status == .created, "\(String(buffer: answer.body))")
            let uploaded = try decodeMedia(answer.body)
            let id = try #require(ShardedID(string: uploaded.id))

            // The owner sees the private facts, in the upload's answer, the media and their list.
            let expectedExif = test.photoHasGPS ? Self.exifGPS : nil
            let ownerViews = [
                uploaded,
                try decodeMedia(try await client.json(.get, "/v1/media/\(id)", token: token).body),
                try #require(try await Self.list(client, owner.id, token: token).first { $0.id == uploaded.id }),
            ]
            for view in ownerViews {
                #expect(view.location == test.published)
                #expect(view.isOwnerView)
                #expect(view.exifLocation == expectedExif)
                #expect(view.capturedAt == (test.photoHasGPS ? Self.exifCapturedAt : nil))
            }

            // Anyone else sees the public location only: no EXIF GPS, no capture time, not even as null.
            for viewer in [nil, otherToken] {
                let raw = try await client.json(.get, "/v1/media/\(id)", token: viewer)
                #expect(raw.status == .ok)
                let text = String(buffer: raw.body)
                #expect(!text.contains("exif_location") && !text.contains("captured_at"), "\(text)")
                #expect(try decodeMedia(raw.body).location == test.published)
                let listed = try #require(try await Self.list(client, owner.id, token: viewer).first { $0.id == uploaded.id })
                #expect(!listed.isOwnerView && listed.exifLocation == nil && listed.capturedAt == nil)
                #expect(listed.location == test.published)
            }

            // Stored apart, and only the public location reaches the geo stage.
            let rows = try await stack.dependencies.postgres.query(shard: id.shard) {
                "SELECT lat, lng, exif_lat, exif_lng FROM \($0).media WHERE id = \(id)"
            }
            let (lat, lng, exifLat, exifLng) = try #require(try rows.first?.decode((Double?, Double?, Double?, Double?).self))
            #expect(lat == test.published?.lat && lng == test.published?.lng)
            #expect(exifLat == expectedExif?.lat && exifLng == expectedExif?.lng)
            let outbox = try await stack.dependencies.postgres.query(
                "SELECT topic, payload::text FROM public.outbox WHERE payload->>'media_id' = \(id.description) ORDER BY id",
                server: try stack.dependencies.postgres.server(forShard: id.shard)
            ).map { try $0.decode((String, String).self) }
            #expect(outbox.contains { $0.0 == "geo" } == (test.published != nil), "\(outbox)")
            if test.published == nil || test.fields["lat"] != nil {
                #expect(!outbox.contains { $0.1.contains("-22.95") || $0.1.contains("-43.21") }, "EXIF GPS in a job: \(outbox)")
            }
        }
    }

    @Test func aTokenSentToAPublicReadMustBeValid() async throws {
        try await AccountStack.run { _, client in
            let (_, token) = try await client.newSession(AccountStack.uniqueName("tok"))
            let media = try decodeMedia(try await client.upload(try UploadIntegrationTests.bytes("orient_1.jpg"), token: token).body)
            #expect(try await client.json(.get, "/v1/media/\(media.id)", token: "not-a-token").status == .unauthorized)
        }
    }

    static func list(_ client: some TestClientProtocol, _ owner: String, token: String?) async throws -> [MediaResponse] {
        let answer = try await client.json(.get, "/v1/users/\(owner)/media", token: token)
        try #require(answer.status == .ok)
        return try JSONDecoder().decode(PageResponse<MediaResponse>.self, from: Data(answer.body.readableBytesView)).items
    }
}
