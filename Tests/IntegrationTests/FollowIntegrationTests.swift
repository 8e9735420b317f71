import API
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Pipeline
import Storage
import TestSupport
import Testing

@Suite(.timeLimit(.minutes(2)))
struct FollowIntegrationTests {
    private func profile(_ client: any TestClientProtocol, _ id: ShardedID, token: String) async throws -> UserResponse {
        let answer = try await client.json(.get, "/v1/users/\(id)", token: token)
        try #require(answer.status == .ok)
        return try JSONDecoder().decode(UserResponse.self, from: Data(answer.body.readableBytesView))
    }

    @Test func followAndUnfollowAreIdempotentAndCountsNeverDrift() async throws {
        try await SocialStack.run { stack, client in
            let a = try await stack.user(client, "fa")
            let b = try await stack.user(client, "fb")
            for _ in 0..<3 {
                #expect(try await client.json(.post, "/v1/users/\(b.id)/follow", token: a.token).status == .ok)
            }
            #expect(try await profile(client, b.id, token: a.token).followerCount == 1)
            #expect(try await profile(client, a.id, token: a.token).followingCount == 1)
            // Both sides are stored, each on its user's shard.
            #expect(try await stack.social.follows.isFollowing(follower: a.id, target: b.id, logger: SocialStack.logger))
            #expect(try await stack.social.follows.followers(of: b.id, before: nil, limit: 10, logger: SocialStack.logger) == [a.id])
            for _ in 0..<3 {
                #expect(try await client.json(.delete, "/v1/users/\(b.id)/follow", token: a.token).status == .ok)
            }
            #expect(try await profile(client, b.id, token: a.token).followerCount == 0)
            #expect(try await profile(client, a.id, token: a.token).followingCount == 0)
            #expect(try await stack.social.follows.followers(of: b.id, before: nil, limit: 10, logger: SocialStack.logger).isEmpty)
            // Follow again after an unfollow: back to exactly one.
            #expect(try await client.json(.post, "/v1/users/\(b.id)/follow", token: a.token).status == .ok)
            #expect(try await profile(client, b.id, token: a.token).followerCount == 1)
            // Only real changes wrote a follow job: follow, unfollow, follow.
            #expect(try await stack.outboxRows(topic: .follow, field: "follower_id", equals: a.id).count == 3)
        }
    }

    @Test func selfUnknownAndAnonymousFollowsAreRefused() async throws {
        try await SocialStack.run { stack, client in
            let a = try await stack.user(client, "fs")
            let me = try await client.json(.post, "/v1/users/\(a.id)/follow", token: a.token)
            #expect(me.status == .unprocessableContent)
            #expect(try errorCode(me.body) == "cannot_follow_self")
            let nobody = try ShardedID(millisecondsSinceEpoch: 5, shard: a.id.shard, sequence: 1)
            let unknown = try await client.json(.post, "/v1/users/\(nobody)/follow", token: a.token)
            #expect(unknown.status == .notFound)
            #expect(try await client.json(.post, "/v1/users/abc/follow", token: a.token).status == .notFound)
            #expect(try await client.json(.post, "/v1/users/\(a.id)/follow").status == .unauthorized)
        }
    }

    @Test func followerAndFollowingListsPageByCursor() async throws {
        try await SocialStack.run { stack, client in
            let star = try await stack.user(client, "star")
            var fans: [SocialStack.TestUser] = []
            for _ in 0..<3 { fans.append(try await stack.user(client, "fan")) }
            for fan in fans {
                #expect(try await client.json(.post, "/v1/users/\(star.id)/follow", token: fan.token).status == .ok)
            }
            var seen: [String] = []
            var cursor: String?
            repeat {
                let query = cursor.map { "?limit=2&cursor=\($0)" } ?? "?limit=2"
                let answer = try await client.json(.get, "/v1/users/\(star.id)/followers\(query)", token: star.token)
                try #require(answer.status == .ok)
                let page = try JSONDecoder().decode(PageResponse<UserResponse>.self, from: Data(answer.body.readableBytesView))
                seen += page.items.map(\.id)
                cursor = page.nextCursor
            } while cursor != nil
            #expect(seen == fans.map(\.id).sorted(by: >).map(\.description))
            let following = try await client.json(.get, "/v1/users/\(fans[0].id)/following", token: star.token)
            let page = try JSONDecoder().decode(PageResponse<UserResponse>.self, from: Data(following.body.readableBytesView))
            #expect(page.items.map(\.id) == [star.id.description])
            #expect(page.items.first?.followerCount == 3)
            #expect(try await client.json(.get, "/v1/users/\(star.id)/followers?limit=101", token: star.token).status == .badRequest)
        }
    }

    /// The target's side failed after the follower's side committed: the follow job repairs it, once.
    @Test func theFollowJobRepairsAMissingTargetSide() async throws {
        try await SocialStack.run { stack, client in
            let a = try await stack.user(client, "ra")
            let b = try await stack.user(client, "rb")
            let (changed, outbox) = try await stack.social.follows.writeFollowerSide(
                follower: a.id, target: b.id, following: true, logger: SocialStack.logger)
            #expect(changed)
            #expect(try await profile(client, b.id, token: a.token).followerCount == 0)
            let job = SocialStack.job(try #require(outbox.first { $0.topic == .follow }))
            try await SocialStack.runChain(stack.followHandler, job)
            try await SocialStack.runChain(stack.followHandler, job)
            #expect(try await profile(client, b.id, token: a.token).followerCount == 1)
            #expect(try await stack.social.follows.followers(of: b.id, before: nil, limit: 10, logger: SocialStack.logger) == [a.id])
            // The stale job of an earlier follow after an unfollow: the truth (not following) wins.
            _ = try await stack.social.follows.writeFollowerSide(follower: a.id, target: b.id, following: false, logger: SocialStack.logger)
            try await SocialStack.runChain(stack.followHandler, job)
            #expect(try await profile(client, b.id, token: a.token).followerCount == 0)
        }
    }
}
