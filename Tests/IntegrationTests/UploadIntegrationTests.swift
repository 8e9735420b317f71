import Runtime
import Imaging
import API
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Pipeline
import PostgresNIO
import Storage
import TestSupport
import Testing
import S3

/// The upload path end to end on the real stack: HTTP → engine → SeaweedFS → sharded PostgreSQL → outbox → Redis.
@Suite(.timeLimit(.minutes(5)))
struct UploadIntegrationTests {
    static func bytes(_ name: String) throws -> [UInt8] {
        try TestCorpus.bytes(TestCorpus.projectImages.appendingPathComponent(name))
    }

    /// The media row as stored on the shard its id names (nil when absent).
    static func row(_ id: ShardedID, _ db: ShardedPostgres) async throws -> (owner: ShardedID, deleted: Bool)? {
        let rows = try await db.query(shard: id.shard) { "SELECT owner_id, deleted_at IS NOT NULL FROM \($0).media WHERE id = \(id)" }
        return try rows.first.map { try $0.decode((ShardedID, Bool).self) }.map { (owner: $0.0, deleted: $0.1) }
    }

    /// Topics of the outbox rows about `mediaID`, with whether each was published.
    static func outbox(_ mediaID: ShardedID, _ db: ShardedPostgres) async throws -> [(topic: String, published: Bool)] {
        let rows = try await db.query(
            "SELECT topic, published_at IS NOT NULL FROM public.outbox WHERE payload->>'media_id' = \(mediaID.description) ORDER BY id",
            server: try db.server(forShard: mediaID.shard))
        return try rows.map { try $0.decode((String, Bool).self) }.map { (topic: $0.0, published: $0.1) }
    }

    static func mediaCount(owner: ShardedID, _ db: ShardedPostgres) async throws -> Int {
        let rows = try await db.query(shard: owner.shard) { "SELECT count(*)::int FROM \($0).media WHERE owner_id = \(owner)" }
        return try rows.first?.decode(Int.self) ?? -1
    }

    static func path(of url: String) -> String {
        guard let range = url.range(of: "/m/") else { return url }
        return String(url[range.lowerBound...])
    }

    // MARK: - Real photos

    @Test("every real photo uploads, and its renditions are served upright, sized and clean", arguments: SharedImage.accepted)
    func realPhotoUploads(_ image: SharedImage) async throws {
        try await AccountStack.run { stack, client in
            let (user, token) = try await client.newSession(AccountStack.uniqueName("up"))
            let answer = try await client.upload(try TestCorpus.bytes(image.url), filename: image.file, fields: ["caption": "test #Darkroom"], token: token)
            try #require(answer.status == .created, "\(image.file): \(String(buffer: answer.body))")
            let media = try decodeMedia(answer.body)
            let id = try #require(ShardedID(string: media.id))
            #expect(media.ownerID == user.id)
            #expect(answer.headers[.location] == "/v1/media/\(media.id)")
            #expect(media.hashtags == ["darkroom"])
            #expect(media.blurhash?.isEmpty == false)
            if let width = image.storedWidth, let height = image.storedHeight, image.format == "jpeg" {
                let upright = image.exifOrientation >= 5 ? (height, width) : (width, height)
                #expect(media.width == upright.0 && media.height == upright.1)
            }
            #expect(Set(media.renditions.map(\.preset)) == ["w1080", "w640", "w320", "sq150"])
            #expect(Set(media.renditions.map(\.format)) == ["jpg", "webp"])

            for rendition in media.renditions {
                let served = try await client.execute(uri: Self.path(of: rendition.url), method: .get) { (status: $0.status, headers: $0.headers, body: $0.body) }
                try #require(served.status == .ok, "\(rendition.url)")
                #expect(served.headers[.contentType] == (rendition.format == "jpg" ? "image/jpeg" : "image/webp"))
                #expect(served.headers[.cacheControl] == "public, max-age=31536000, immutable")
                #expect(served.headers[.eTag]?.hasPrefix("\"") == true)
                #expect(served.headers[.contentLength] == String(served.body.readableBytes))
                let bytes = Array(served.body.readableBytesView)
                let header = try RenditionInspector.header(bytes)
                #expect(header.width == rendition.width && header.height == rendition.height)
                #expect(RenditionInspector.metadataBlocks(bytes).isEmpty, "\(rendition.url) carries metadata")
            }

            let row = try #require(try await Self.row(id, stack.dependencies.postgres))
            #expect(row.owner.description == user.id)
            let topics = try await Self.outbox(id, stack.dependencies.postgres).map(\.topic)
            #expect(topics.contains("feed") && topics.contains("push"))
            #expect(topics.contains("geo") == (media.location != nil))
        }
    }

    // MARK: - Hostile files

    @Test("every hostile file gets its 4xx code and leaves no row and no object", arguments: SharedImage.hostile)
    func hostileFilesAreRejectedWithoutTrace(_ image: SharedImage) async throws {
        try await AccountStack.run { stack, client in
            let (user, token) = try await client.newSession(AccountStack.uniqueName("bad"))
            let bytes = try TestCorpus.bytes(image.url)
            let answer = try await client.upload(bytes, filename: image.file, token: token)
            #expect(answer.status == .unprocessableContent, "\(image.file): \(answer.status)")
            #expect(try errorCode(answer.body) == image.expectedCode)
            #expect(!String(buffer: answer.body).lowercased().contains("vips"), "no internal detail in a response")

            let owner = try #require(ShardedID(string: user.id))
            #expect(try await Self.mediaCount(owner: owner, stack.dependencies.postgres) == 0)
            let digest = MediaKeys.hex(Array(SHA256.hash(data: bytes)))
            let originals = try await stack.dependencies.objectStore.listAll(prefix: "private/originals/")
            #expect(!originals.contains { (entry: ObjectListing.Entry) in entry.key.rawValue.hasSuffix(digest) })
        }
    }

    // MARK: - Behaviour

    @Test func duplicateUploadReturnsTheSameMediaAndHashtagsAreStored() async throws {
        try await AccountStack.run { stack, client in
            let (_, token) = try await client.newSession(AccountStack.uniqueName("dup"))
            let bytes = try Self.bytes("orient_6.jpg")
            let first = try await client.upload(bytes, fields: ["caption": "Sunset at #Beach with #friends and #beach again"], token: token)
            #expect(first.status == .created)
            let second = try await client.upload(bytes, fields: ["caption": "another caption"], token: token)
            #expect(second.status == .ok)
            let media = try decodeMedia(first.body)
            #expect(try decodeMedia(second.body).id == media.id)
            #expect(media.hashtags == ["beach", "friends"])
            let id = try #require(ShardedID(string: media.id))
            let tags = try await stack.dependencies.postgres.query(shard: id.shard) {
                "SELECT tag FROM \($0).media_hashtags WHERE media_id = \(id) ORDER BY tag"
            }.map { try $0.decode(String.self) }
            #expect(tags == ["beach", "friends"])
        }
    }

    @Test func rawBodyUploadTakesItsFieldsFromTheQuery() async throws {
        try await AccountStack.run { stack, client in
            let (_, token) = try await client.newSession(AccountStack.uniqueName("raw"))
            let answer = try await client.uploadRaw(
                try Self.bytes("orient_1.jpg"), query: "caption=hello%20%23Paris&filter=clarendon&lat=48.8584&lng=2.2945&crosspost=twitter",
                token: token)
            try #require(answer.status == .created, "\(String(buffer: answer.body))")
            let media = try decodeMedia(answer.body)
            #expect(media.caption == "hello #Paris")
            #expect(media.hashtags == ["paris"])
            #expect(media.filter == "clarendon")
            #expect(media.location?.lat == 48.8584 && media.location?.lng == 2.2945)
            let topics = try await Self.outbox(try #require(ShardedID(string: media.id)), stack.dependencies.postgres)
            #expect(topics.map(\.topic) == ["feed", "geo", "crosspost", "push"])
            #expect(topics.allSatisfy { $0.published }, "Redis is up: the rows were published after the commit")
        }
    }

    struct FieldCase: Sendable, CustomTestStringConvertible {
        var fields: [String: String]
        var field: String
        var testDescription: String { "\(field): \(fields.mapValues { $0.count > 20 ? "\($0.count) characters" : $0.debugDescription })" }
    }

    @Test(arguments: [
        FieldCase(fields: ["filter": "sepia-ish"], field: "filter"),
        FieldCase(fields: ["caption": String(repeating: "x", count: 2_201)], field: "caption"),
        FieldCase(fields: ["lat": "10"], field: "lat"),
        FieldCase(fields: ["lat": "91", "lng": "0"], field: "lat"),
        FieldCase(fields: ["crosspost": "myspace"], field: "crosspost"),
        FieldCase(fields: ["caption": "nul\u{0}inside"], field: "caption"),
        FieldCase(fields: ["caption": "escape\u{1B}[2J"], field: "caption"),
        FieldCase(fields: ["lat": "0x10", "lng": "0"], field: "lat"),
        FieldCase(fields: ["lat": "1", "lng": "1e2"], field: "lat"),
        FieldCase(fields: ["location": "exif", "lat": "1", "lng": "2"], field: "location"),
        FieldCase(fields: ["location": "gps"], field: "location"),
    ])
    func badFieldsAre400NamingTheField(_ test: FieldCase) async throws {
        let (fields, field) = (test.fields, test.field)
        try await AccountStack.run { stack, client in
            let (user, token) = try await client.newSession(AccountStack.uniqueName("fld"))
            let answer = try await client.upload(try Self.bytes("orient_1.jpg"), fields: fields, token: token)
            #expect(answer.status == .badRequest)
            let error = try JSONDecoder().decode(ErrorResponse.self, from: Data(answer.body.readableBytesView)).error
            #expect(error.code == "validation_failed")
            #expect(error.field == field)
            #expect(try await Self.mediaCount(owner: try #require(ShardedID(string: user.id)), stack.dependencies.postgres) == 0)
        }
    }

    @Test func malformedBodiesAreClientErrors() async throws {
        try await AccountStack.run(environment: ["DARKROOM_UPLOAD_MAX_BYTES": "4096"]) { _, client in
            let (_, token) = try await client.newSession(AccountStack.uniqueName("body"))
            let tooLarge = try await client.upload(try Self.bytes("orient_1.jpg"), token: token)
            #expect(tooLarge.status == .contentTooLarge)
            #expect(try errorCode(tooLarge.body) == "payload_too_large")
            let empty = try await client.uploadRaw([], token: token)
            #expect(empty.status == .unprocessableContent)
            #expect(try errorCode(empty.body) == "empty_file")
            var headers: HTTPFields = [.authorization: "Bearer \(token)", .contentType: "multipart/form-data; boundary=xyz"]
            let noPhoto = try await client.execute(
                uri: "/v1/media", method: .post, headers: headers,
                body: ByteBuffer(string: "--xyz\r\nContent-Disposition: form-data; name=\"caption\"\r\n\r\nhi\r\n--xyz--\r\n")) { $0 }
            #expect(noPhoto.status == .badRequest)
            headers[.contentType] = "multipart/form-data; boundary=xyz"
            let garbled = try await client.execute(uri: "/v1/media", method: .post, headers: headers, body: ByteBuffer(string: "no boundary here")) { $0 }
            #expect(garbled.status == .badRequest)
        }
    }

    @Test func authorizationAndDeletion() async throws {
        try await AccountStack.run { stack, client in
            let (owner, token) = try await client.newSession(AccountStack.uniqueName("own"))
            let (_, otherToken) = try await client.newSession(AccountStack.uniqueName("oth"))
            #expect(try await client.upload(try Self.bytes("orient_1.jpg"), token: nil).status == .unauthorized)
            #expect(try await client.upload(try Self.bytes("orient_1.jpg"), token: "not-a-token").status == .unauthorized)

            let media = try decodeMedia(try await client.upload(try Self.bytes("orient_3.jpg"), token: token).body)
            let id = try #require(ShardedID(string: media.id))
            let rendition = Self.path(of: try #require(media.renditions.first).url)

            #expect(try await client.json(.delete, "/v1/media/\(media.id)").status == .unauthorized)
            #expect(try await client.json(.delete, "/v1/media/\(media.id)", token: otherToken).status == .forbidden)
            #expect(try await client.json(.get, "/v1/media/\(media.id)").status == .ok, "a refused delete changes nothing")

            #expect(try await client.json(.delete, "/v1/media/\(media.id)", token: token).status == .noContent)
            #expect(try await client.json(.get, "/v1/media/\(media.id)").status == .notFound)
            #expect(try await client.execute(uri: rendition, method: .get) { $0.status } == .notFound)
            #expect(try await client.json(.delete, "/v1/media/\(media.id)", token: token).status == .notFound)
            let list = try await client.json(.get, "/v1/users/\(owner.id)/media")
            #expect(!String(buffer: list.body).contains(media.id))
            #expect(try await Self.row(id, stack.dependencies.postgres)?.deleted == true)
            #expect(try await Self.outbox(id, stack.dependencies.postgres).map(\.topic).contains("cleanup"))
        }
    }

    @Test func userMediaPagesNewestFirst() async throws {
        try await AccountStack.run { _, client in
            let (user, token) = try await client.newSession(AccountStack.uniqueName("page"))
            var ids: [String] = []
            for name in ["orient_1.jpg", "orient_2.jpg", "orient_3.jpg"] {
                ids.append(try decodeMedia(try await client.upload(try Self.bytes(name), token: token).body).id)
            }
            let first = try JSONDecoder().decode(PageResponse<MediaResponse>.self, from: Data(try await client.json(.get, "/v1/users/\(user.id)/media?limit=2").body.readableBytesView))
            #expect(first.items.map(\.id) == [ids[2], ids[1]])
            let cursor = try #require(first.nextCursor)
            let second = try JSONDecoder().decode(PageResponse<MediaResponse>.self, from: Data(try await client.json(.get, "/v1/users/\(user.id)/media?limit=2&cursor=\(cursor)").body.readableBytesView))
            #expect(second.items.map(\.id) == [ids[0]])
            #expect(second.nextCursor == nil)
            #expect(try await client.json(.get, "/v1/users/\(user.id)/media?limit=101").status == .badRequest)
            #expect(try await client.json(.get, "/v1/users/123/media").status == .notFound)
        }
    }

    @Test func theOwnerGetsAPresignedURLOfTheOriginalAndNobodyElseSeesIt() async throws {
        try await AccountStack.run { _, client in
            let (_, token) = try await client.newSession(AccountStack.uniqueName("orig"))
            let (_, stranger) = try await client.newSession(AccountStack.uniqueName("orig"))
            let photo = try Self.bytes("orient_1.jpg")
            let media = try decodeMedia(try await client.upload(photo, token: token).body)
            let path = "/v1/media/\(media.id)/original"
            let answer = try await client.json(.get, path, token: token)
            try #require(answer.status == .ok, "\(String(buffer: answer.body))")
            let link = try JSONDecoder().decode(OriginalResponse.self, from: Data(answer.body.readableBytesView))
            #expect(link.url.contains("X-Amz-Signature="))
            let fetched = try await OriginCluster.get(link.url)
            #expect(fetched.status == 200)
            #expect(fetched.body == photo)
            // Tampering with the presigned query breaks the signature.
            let tampered = try await OriginCluster.get(link.url.replacingOccurrences(of: "X-Amz-Expires=300", with: "X-Amz-Expires=3000"))
            #expect(tampered.status == 403)

            #expect(try await client.json(.get, path, token: stranger).status == .notFound)
            #expect(try await client.json(.get, path).status == .unauthorized)
            #expect(try await client.json(.get, "/v1/media/1/original", token: token).status == .notFound)
            #expect(try await client.json(.delete, "/v1/media/\(media.id)", token: token).status == .noContent)
            #expect(try await client.json(.get, path, token: token).status == .notFound)
        }
    }

    @Test func originServesOnlyParsedNamesWithValidators() async throws {
        try await AccountStack.run { _, client in
            let (_, token) = try await client.newSession(AccountStack.uniqueName("cdn"))
            let media = try decodeMedia(try await client.upload(try Self.bytes("orient_1.jpg"), token: token).body)
            let base = "/m/\(media.id)"
            let full = try await client.execute(uri: "\(base)/w320.jpg", method: .get) { (status: $0.status, headers: $0.headers, body: $0.body) }
            #expect(full.status == .ok)
            let etag = try #require(full.headers[.eTag])
            let conditional = try await client.execute(uri: "\(base)/w320.jpg", method: .get, headers: [.ifNoneMatch: etag]) { (status: $0.status, body: $0.body) }
            #expect(conditional.status == .notModified)
            #expect(conditional.body.readableBytes == 0)
            let head = try await client.execute(uri: "\(base)/w320.jpg", method: .head) { (status: $0.status, headers: $0.headers, body: $0.body) }
            #expect(head.status == .ok)
            #expect(head.headers[.contentLength] == String(full.body.readableBytes))
            #expect(head.body.readableBytes == 0)
            for name in ["w320.png", "W320.jpg", "w320", "nope.jpg", "w320.jpg.jpg", "..%2Fw320.jpg", "%2e%2e"] {
                #expect(try await client.execute(uri: "\(base)/\(name)", method: .get) { $0.status } == .notFound, "\(name)")
            }
            #expect(try await client.execute(uri: "/m/notanid/w320.jpg", method: .get) { $0.status } == .notFound)
            #expect(try await client.execute(uri: "/m/1/w320.jpg", method: .get) { $0.status } == .notFound)
            #expect(try await client.execute(uri: "/m/\(media.id)/../../private/originals", method: .get) { $0.status } == .notFound)
        }
    }

    @Test func uploadMetricsAreExported() async throws {
        try await AccountStack.run { _, client in
            let (_, token) = try await client.newSession(AccountStack.uniqueName("met"))
            #expect(try await client.upload(try Self.bytes("orient_1.jpg"), token: token).status == .created)
            #expect(try await client.upload(try Self.bytes("not_an_image.jpg"), token: token).status == .unprocessableContent)
            let text = String(buffer: try await client.json(.get, "/metrics").body)
            #expect(text.contains(#"darkroom_uploads_total{outcome="created"} 1"#))
            #expect(text.contains(#"darkroom_uploads_total{outcome="rejected_unsupported_format"} 1"#))
            #expect(text.contains(#"darkroom_upload_stage_duration_seconds_bucket{stage="process""#))
            #expect(text.contains("darkroom_upload_megapixels_in_use"))
            #expect(text.contains("darkroom_upload_bytes_out_total"))
        }
    }

    // MARK: - Admission

    @Test func aFullMegapixelBudgetAnswers503WithRetryAfterAndNothingElseFails() async throws {
        let photo = try TestCorpus.bytes(TestCorpus.benchImages.appendingPathComponent("up12mp_rot6.jpg"))
        try await AccountStack.run(environment: ["DARKROOM_UPLOAD_MEGAPIXEL_BUDGET": "12", "DARKROOM_UPLOAD_ADMISSION_WAIT_MS": "0"]) { stack, client in
            var sessions: [String] = []
            for index in 0..<6 { sessions.append(try await client.newSession(AccountStack.uniqueName("adm\(index)")).token) }
            let answers = try await withThrowingTaskGroup(of: (HTTPResponse.Status, String?, String).self) { group in
                for token in sessions {
                    group.addTask {
                        let answer = try await client.upload(photo, token: token)
                        return (answer.status, answer.headers[.retryAfter], String(buffer: answer.body))
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let statuses = answers.map(\.0)
            #expect(statuses.allSatisfy { $0 == .created || $0 == .serviceUnavailable }, "\(answers.map { "\($0.0) \($0.2)" })")
            #expect(statuses.contains(.created))
            #expect(statuses.contains(.serviceUnavailable))
            for answer in answers where answer.0 == .serviceUnavailable {
                #expect(answer.1 != nil)
                #expect(answer.2.contains("\"overloaded\""))
            }
            let budget = stack.media.pipeline.receive.budget
            #expect(await budget.peakInUse <= budget.capacity)
            #expect(await budget.inUse == 0, "every share was released")
        }
    }
}
