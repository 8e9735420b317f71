import API
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Pipeline
import PostgresNIO
import Storage
import TestSupport
import Testing
import RedisClient

@Suite(.timeLimit(.minutes(3)))
struct FeedIntegrationTests {
    @Test func followersSeeAPostAndOthersDoNotAndUnfollowRemovesIt() async throws {
        try await SocialStack.run { stack, client in
            let a = try await stack.user(client, "pa")
            let b = try await stack.user(client, "pb")
            let c = try await stack.user(client, "pc")
            let d = try await stack.user(client, "pd")
            let other = try await stack.user(client, "po")
            for follower in [b, c] {
                #expect(try await client.json(.post, "/v1/users/\(a.id)/follow", token: follower.token).status == .ok)
            }
            #expect(try await client.json(.post, "/v1/users/\(other.id)/follow", token: d.token).status == .ok)
            let (photo, outbox) = try await stack.post(a.id, caption: "hello")
            let job = SocialStack.job(try #require(outbox.first { $0.topic == .feed }))
            try await SocialStack.runChain(stack.feedHandler, job)
            // Redelivered: still once.
            try await SocialStack.runChain(stack.feedHandler, job)
            for follower in [b, c] {
                #expect(try await stack.feedIDs(client, follower).ids == [photo.id.description])
                #expect(try await stack.social.feed.store.entries(of: follower.id) == [photo.id])
            }
            #expect(try await stack.feedIDs(client, d).ids.isEmpty)
            #expect(try await stack.social.feed.store.entries(of: d.id).isEmpty)

            #expect(try await client.json(.delete, "/v1/users/\(a.id)/follow", token: b.token).status == .ok)
            // Gone at once from what the reader sees, and from Redis once the follow job ran.
            #expect(try await stack.feedIDs(client, b).ids.isEmpty)
            try await stack.runFollowJobs(follower: b.id)
            #expect(try await stack.social.feed.store.entries(of: b.id).isEmpty)
            #expect(try await stack.feedIDs(client, c).ids == [photo.id.description])
        }
    }

    @Test func followingBringsRecentMediaInAndPagesAreNewestFirst() async throws {
        try await SocialStack.run { stack, client in
            let a = try await stack.user(client, "ba")
            let b = try await stack.user(client, "bb")
            // B's feed exists (complete, empty) before the follow, so only the follow job can bring A's media in.
            _ = try await stack.feedIDs(client, b)
            var posted: [ShardedID] = []
            for _ in 0..<5 { posted.append(try await stack.post(a.id).0.id) }
            #expect(try await client.json(.post, "/v1/users/\(a.id)/follow", token: b.token).status == .ok)
            try await stack.runFollowJobs(follower: b.id)
            #expect(try await stack.social.feed.store.entries(of: b.id) == posted.reversed())
            var seen: [String] = []
            var cursor: String?
            repeat {
                let page = try await stack.feedIDs(client, b, query: "?limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""))
                seen += page.ids
                cursor = page.next
            } while cursor != nil
            #expect(seen == posted.reversed().map(\.description))
        }
    }

    @Test func fanOutToTwentyThousandFollowersIsChunkedAndWritesEachFeedOnce() async throws {
        let chunk = 5_000
        try await SocialStack.run(feed: FeedConfiguration(chunkSize: chunk)) { stack, client in
            let author = try await stack.user(client, "big")
            let followers = try ShardedID.farFuture(count: 20_000)
            let values = followers.map(\.rawValue)
            _ = try await stack.postgres.query(shard: author.id.shard) { schema in
                "INSERT INTO \(schema).followers (user_id, follower_id) SELECT \(author.id), unnest(\(values)::bigint[])"
            }
            _ = try await stack.postgres.query(shard: author.id.shard) { schema in
                "UPDATE \(schema).users SET follower_count = 20000 WHERE id = \(author.id)"
            }
            let (photo, outbox) = try await stack.post(author.id)
            let job = SocialStack.job(try #require(outbox.first { $0.topic == .feed }))
            let jobs = try await SocialStack.runChain(stack.feedHandler, job)
            // Four full chunks, then one that finds nobody left.
            #expect(jobs == 20_000 / chunk + 1)
            try await SocialStack.runChain(stack.feedHandler, job)
            let replies = try await stack.redis.pipeline(followers.map { RedisCommand("ZRANGE", FeedStore.key(of: $0), 0, -1) })
            let member = FeedStore.member(photo.id)
            var wrong = 0
            for reply in replies where try reply.strings() != [member] { wrong += 1 }
            #expect(wrong == 0)
            _ = try await stack.redis.del(followers.map { FeedStore.key(of: $0) })
        }
    }

    @Test func aFollowerOfACelebritySeesTheirMediaMergedAtReadTime() async throws {
        try await SocialStack.run(feed: FeedConfiguration(celebrityThreshold: 1)) { stack, client in
            let star = try await stack.user(client, "cel")
            let b = try await stack.user(client, "cb")
            let c = try await stack.user(client, "cc")
            for fan in [b, c] {
                #expect(try await client.json(.post, "/v1/users/\(star.id)/follow", token: fan.token).status == .ok)
            }
            _ = try await stack.feedIDs(client, b)
            let (photo, outbox) = try await stack.post(star.id)
            try await SocialStack.runChain(stack.feedHandler, SocialStack.job(try #require(outbox.first { $0.topic == .feed })))
            // Not fanned out (2 followers > threshold 1) ...
            #expect(try await stack.social.feed.store.entries(of: b.id).isEmpty)
            // ... yet in the feed.
            #expect(try await stack.feedIDs(client, b).ids == [photo.id.description])
        }
    }

    @Test func aFeedLostFromRedisIsRebuiltFromPostgres() async throws {
        try await SocialStack.run { stack, client in
            let a = try await stack.user(client, "la")
            let b = try await stack.user(client, "lb")
            #expect(try await client.json(.post, "/v1/users/\(a.id)/follow", token: b.token).status == .ok)
            let (first, outbox) = try await stack.post(a.id)
            try await SocialStack.runChain(stack.feedHandler, SocialStack.job(try #require(outbox.first { $0.topic == .feed })))
            let second = try await stack.post(a.id).0
            #expect(try await stack.redis.del(FeedStore.key(of: b.id)) == 1)
            #expect(try await stack.feedIDs(client, b).ids == [second.id.description, first.id.description])
            #expect(try await stack.social.feed.store.entries(of: b.id) == [second.id, first.id])
        }
    }

    @Test func deletedMediaLeaveTheFeed() async throws {
        try await SocialStack.run { stack, client in
            let a = try await stack.user(client, "da")
            let b = try await stack.user(client, "db")
            #expect(try await client.json(.post, "/v1/users/\(a.id)/follow", token: b.token).status == .ok)
            let (photo, outbox) = try await stack.post(a.id)
            try await SocialStack.runChain(stack.feedHandler, SocialStack.job(try #require(outbox.first { $0.topic == .feed })))
            let kept = try await stack.post(a.id).0
            try await SocialStack.runChain(stack.followHandler, SocialStack.job(try #require(try await stack.outboxRows(topic: .follow, field: "follower_id", equals: b.id).first)))
            _ = try await stack.social.media.markDeleted(id: photo.id, requester: a.id, logger: SocialStack.logger) { _ in [] }
            // Hydration skips it at once; the cleanup stage's call takes it out of Redis.
            #expect(try await stack.feedIDs(client, b).ids == [kept.id.description])
            #expect(try await stack.social.feed.store.entries(of: b.id) == [kept.id, photo.id])
            let cleaner = FeedCleaner(postgres: stack.postgres, redis: stack.redis, configuration: FeedConfiguration(chunkSize: 1))
            #expect(try await cleaner.remove(mediaID: photo.id, owner: a.id, logger: SocialStack.logger) == 1)
            #expect(try await stack.social.feed.store.entries(of: b.id) == [kept.id])
        }
    }

    /// A job that can never succeed goes to the dead-letter stream at once: the handlers say so with `.invalidJob`.
    @Test func malformedJobsAreInvalidJobs() async throws {
        try await SocialStack.run { stack, _ in
            let handlers: [any JobHandler] = [stack.feedHandler, stack.followHandler, stack.activityHandler]
            for handler in handlers {
                let job = Job(outboxID: 1, shard: 0, topic: handler.topic, payload: #"{"nonsense":true}"#, streamEntryID: "0-1", deliveryCount: 1)
                await #expect(throws: PipelineError.self) { try await SocialStack.runChain(handler, job) }
            }
            let unknownKind = #"{"recipient_id":"1","actor_id":"2","kind":"poke"}"#
            let job = Job(outboxID: 2, shard: 0, topic: .activity, payload: unknownKind, streamEntryID: "0-1", deliveryCount: 1)
            let error = await #expect(throws: PipelineError.self) { try await SocialStack.runChain(stack.activityHandler, job) }
            #expect(error?.code == .invalidJob)
        }
    }
}
