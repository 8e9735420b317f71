import Runtime
import API
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Pipeline
import Storage
import TestSupport
import Testing
import S3

/// The whole loop as `darkroom serve` runs it: HTTP upload → outbox → Redis stream → workers (in this process) →
/// feeds, activity, cleanup, read back through HTTP. Nothing is run by hand.
@Suite(.timeLimit(.minutes(3)))
struct AsyncStagesEndToEndTests {
    static func feed(_ client: any TestClientProtocol, token: String) async throws -> [String] {
        let answer = try await client.json(.get, "/v1/feed?limit=100", token: token)
        try #require(answer.status == .ok, "\(String(buffer: answer.body))")
        return try JSONDecoder().decode(PageResponse<MediaResponse>.self, from: Data(answer.body.readableBytesView)).items.map(\.id)
    }

    static func activityKinds(_ client: any TestClientProtocol, token: String) async throws -> [String] {
        let answer = try await client.json(.get, "/v1/activity", token: token)
        try #require(answer.status == .ok, "\(String(buffer: answer.body))")
        let object = try JSONSerialization.jsonObject(with: Data(answer.body.readableBytesView)) as? [String: Any]
        let items = object?["items"] as? [[String: Any]] ?? []
        return items.compactMap { $0["kind"] as? String }
    }

    @Test func anUploadReachesFollowersFeedsAndDeletionTakesItEverywhere() async throws {
        try await AccountStack.run(workers: true) { stack, client in
            let (author, authorToken) = try await client.newSession(AccountStack.uniqueName("ea"))
            let (bUser, bToken) = try await client.newSession(AccountStack.uniqueName("eb"))
            let (cUser, cToken) = try await client.newSession(AccountStack.uniqueName("ec"))
            let b = try #require(ShardedID(string: bUser.id))
            let c = try #require(ShardedID(string: cUser.id))
            let (_, dToken) = try await client.newSession(AccountStack.uniqueName("ed"))
            for token in [bToken, cToken] {
                #expect(try await client.json(.post, "/v1/users/\(author.id)/follow", token: token).status == .ok)
            }

            let upload = try await client.upload(try UploadIntegrationTests.bytes("orient_6.jpg"), fields: ["caption": "e2e #loop"], token: authorToken)
            try #require(upload.status == .created)
            let media = try decodeMedia(upload.body)

            let id = try #require(ShardedID(string: media.id))
            let store = stack.social.feed.store
            for follower in [b, c] {
                // Redis first: a GET /v1/feed would rebuild a missing feed from PostgreSQL and hide a lost fan-out.
                let fannedOut = try await eventually(timeout: .seconds(60), every: .milliseconds(50)) {
                    try await store.entries(of: follower).contains(id)
                }
                #expect(fannedOut, "the feed worker wrote the upload into a follower's feed")
            }
            for token in [bToken, cToken] {
                #expect(try await Self.feed(client, token: token).contains(media.id))
            }
            #expect(try await Self.feed(client, token: dToken).isEmpty, "not a follower")

            // A like and a comment by B reach the author's activity list through the activity stage.
            #expect(try await client.json(.post, "/v1/media/\(media.id)/likes", token: bToken).status == .ok)
            #expect(try await client.json(.post, "/v1/media/\(media.id)/comments", #"{"text":"great #shot"}"#, token: bToken).status == .created)
            let noticed = try await eventually(timeout: .seconds(60), every: .milliseconds(100)) {
                Set(try await Self.activityKinds(client, token: authorToken)).isSuperset(of: ["follow", "like", "comment"])
            }
            let kinds = try await Self.activityKinds(client, token: authorToken)
            #expect(noticed, "\(kinds)")

            #expect(try await client.json(.delete, "/v1/users/\(author.id)/follow", token: bToken).status == .ok)
            #expect(try await !Self.feed(client, token: bToken).contains(media.id), "unfollowing removes the author's media")

            // Deleting: gone from C's feed at once, and the cleanup stage removes the objects.
            #expect(try await client.json(.delete, "/v1/media/\(media.id)", token: authorToken).status == .noContent)
            #expect(try await !Self.feed(client, token: cToken).contains(media.id))
            let record = try #require(try await stack.media.repository.media(id: id, logger: AccountStack.logger))
            let keys = MediaKeys.all(of: record)
            let cleaned = try await eventually(timeout: .seconds(60), every: .milliseconds(200)) {
                for key in keys {
                    do {
                        _ = try await stack.dependencies.objectStore.head(try ObjectKey(key))
                        return false
                    } catch let error as StorageError where error.code == .notFound {}
                }
                return true
            }
            #expect(cleaned, "the cleanup stage deleted every object of the media")
            // The cleanup job deletes the objects before the feed entries, so the entry may still be there a moment.
            let unlisted = try await eventually(timeout: .seconds(60), every: .milliseconds(200)) {
                try await !store.entries(of: c).contains(id)
            }
            #expect(unlisted, "and its entry in C's feed")
        }
    }
}
