import Runtime
import API
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Storage
import TestSupport
import Testing

/// Uploads with a server of the shared stack stopped (DESIGN.md's failure table): the object store or a shard down
/// is a 503 that leaves no row; Redis down still takes the upload and leaves its jobs in the outbox.
@Suite(.serialized, .enabled(if: TestStack.faultTestsEnabled, "fault tests run alone in phase 2 of make test"))
struct UploadFaultTests {
    static func photo(_ name: String) throws -> [UInt8] { try UploadIntegrationTests.bytes(name) }

    @Test(.timeLimit(.minutes(3)))
    func objectStoreDownIs503AndLeavesNoRow() async throws {
        try await AccountStack.run(environment: ["DARKROOM_S3_TIMEOUT_MS": "2000"]) { stack, client in
            let (user, token) = try await client.newSession(AccountStack.uniqueName("s3down"))
            try await TestStack.withStopped(.seaweedfs) {
                let answer = try await client.upload(try Self.photo("orient_1.jpg"), token: token)
                #expect(answer.status == .serviceUnavailable, "\(String(buffer: answer.body))")
                #expect(answer.headers[.retryAfter] != nil)
                #expect(try errorCode(answer.body) == "unavailable")
                let owner = try #require(ShardedID(string: user.id))
                #expect(try await UploadIntegrationTests.mediaCount(owner: owner, stack.dependencies.postgres) == 0)
            }
            // And it recovers.
            var status = HTTPResponse.Status.serviceUnavailable
            let start = ContinuousClock.now
            while status != .created, ContinuousClock.now - start < .seconds(60) {
                status = try await client.upload(try Self.photo("orient_1.jpg"), token: token).status
                if status != .created { try await Task.sleep(for: .milliseconds(500)) }
            }
            #expect(status == .created)
        }
    }

    @Test(.timeLimit(.minutes(3)))
    func oneServerDownFailsUploadsOfItsUsersOnly() async throws {
        try await AccountStack.run { stack, client in
            func name(onServer server: Int) throws -> String { try stack.username(onServer: server) }
            let (_, zeroToken) = try await client.newSession(try name(onServer: 0))
            let (_, oneToken) = try await client.newSession(try name(onServer: 1))
            try await TestStack.withStopped(.pg1) {
                let refused = try await client.upload(try Self.photo("orient_1.jpg"), token: oneToken)
                #expect(refused.status == .serviceUnavailable, "\(String(buffer: refused.body))")
                #expect(refused.headers[.retryAfter] != nil)
                let accepted = try await client.upload(try Self.photo("orient_1.jpg"), token: zeroToken)
                #expect(accepted.status == .created, "\(String(buffer: accepted.body))")
            }
        }
    }

    @Test(.timeLimit(.minutes(3)))
    func redisDownStillTakesTheUploadAndTheRelayDeliversItsJobsAfterwards() async throws {
        let relayFast = ["DARKROOM_OUTBOX_RELAY_DELAY_MS": "500", "DARKROOM_OUTBOX_RELAY_INTERVAL_MS": "200"]
        try await AccountStack.run(environment: relayFast, workers: true) { stack, client in
            let (author, token) = try await client.newSession(AccountStack.uniqueName("rdup"))
            let (follower, followerToken) = try await client.newSession(AccountStack.uniqueName("rdfo"))
            #expect(try await client.json(.post, "/v1/users/\(author.id)/follow", token: followerToken).status == .ok)
            // The session is seen by this process before the outage (see StaleIfErrorSessionStore).
            #expect(try await client.json(.get, "/v1/me", token: token).status == .ok)
            let db = stack.dependencies.postgres
            let mediaID = try await TestStack.withStopped(.redis) {
                let answer = try await client.upload(try Self.photo("orient_1.jpg"), fields: ["lat": "1.5", "lng": "2.5"], token: token)
                try #require(answer.status == .created, "\(String(buffer: answer.body))")
                let id = try #require(ShardedID(string: try decodeMedia(answer.body).id))
                let rows = try await UploadIntegrationTests.outbox(id, db)
                #expect(rows.map(\.topic) == ["feed", "geo", "push"])
                #expect(rows.allSatisfy { !$0.published }, "left for the relay while Redis is down")
                return id
            }
            // Redis is back: the relay publishes the rows and the feed worker fans the upload out.
            let delivered = try await eventually(timeout: .seconds(60), every: .milliseconds(200)) {
                try await UploadIntegrationTests.outbox(mediaID, db).allSatisfy(\.published)
            }
            #expect(delivered, "every outbox row was published by the relay")
            let followerID = try #require(ShardedID(string: follower.id))
            let fannedOut = try await eventually(timeout: .seconds(60), every: .milliseconds(200)) {
                try await stack.social.feed.store.entries(of: followerID).contains(mediaID)
            }
            #expect(fannedOut, "the job reached the follower's feed: none lost")
        }
    }
}
