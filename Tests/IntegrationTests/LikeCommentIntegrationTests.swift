import API
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Pipeline
import Storage
import TestSupport
import Testing

@Suite(.timeLimit(.minutes(3)))
struct LikeCommentIntegrationTests {
    private func likeCount(_ stack: SocialStack, _ media: ShardedID) async throws -> Int64? {
        try await stack.social.media.media(id: media, logger: SocialStack.logger)?.likeCount
    }

    @Test func fiftyConcurrentLikesCountFiftyAndADoubleLikeCountsOnce() async throws {
        try await SocialStack.run { stack, client in
            let owner = try await stack.user(client, "lo")
            let (photo, _) = try await stack.post(owner.id)
            var signedUp: [SocialStack.TestUser] = []
            for _ in 0..<50 { signedUp.append(try await stack.user(client, "lk")) }
            let fans = signedUp
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for fan in fans {
                    group.addTask { try await client.json(.post, "/v1/media/\(photo.id)/likes", token: fan.token).status }
                }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            #expect(statuses.allSatisfy { $0 == .ok })
            #expect(try await likeCount(stack, photo.id) == 50)
            // The same user twice, concurrently and again: still one like from them.
            let firstToken = fans[0].token
            let again = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<5 { group.addTask { try await client.json(.post, "/v1/media/\(photo.id)/likes", token: firstToken).status } }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            #expect(again.allSatisfy { $0 == .ok })
            #expect(try await likeCount(stack, photo.id) == 50)
            for _ in 0..<2 {
                #expect(try await client.json(.delete, "/v1/media/\(photo.id)/likes", token: fans[0].token).status == .ok)
            }
            #expect(try await likeCount(stack, photo.id) == 49)
            let list = try await client.json(.get, "/v1/media/\(photo.id)/likes?limit=100", token: owner.token)
            let page = try JSONDecoder().decode(PageResponse<UserResponse>.self, from: Data(list.body.readableBytesView))
            #expect(Set(page.items.map(\.id)) == Set(fans.dropFirst().map(\.id.description)))
        }
    }

    @Test func likesOfUnknownOrDeletedMediaAre404() async throws {
        try await SocialStack.run { stack, client in
            let owner = try await stack.user(client, "lu")
            let (photo, _) = try await stack.post(owner.id)
            let unknown = try ShardedID(millisecondsSinceEpoch: 7, shard: owner.id.shard, sequence: 3)
            #expect(try await client.json(.post, "/v1/media/\(unknown)/likes", token: owner.token).status == .notFound)
            _ = try await stack.social.media.markDeleted(id: photo.id, requester: owner.id, logger: SocialStack.logger) { _ in [] }
            #expect(try await client.json(.post, "/v1/media/\(photo.id)/likes", token: owner.token).status == .notFound)
            #expect(try await client.json(.get, "/v1/media/\(photo.id)/likes", token: owner.token).status == .notFound)
        }
    }

    @Test func commentsAreAddedListedAndDeletedByAuthorOrOwnerOnly() async throws {
        try await SocialStack.run { stack, client in
            let owner = try await stack.user(client, "co")
            let author = try await stack.user(client, "ca")
            let stranger = try await stack.user(client, "cs")
            let (photo, _) = try await stack.post(owner.id)
            let added = try await client.json(.post, "/v1/media/\(photo.id)/comments", #"{"text":"Nice #Sunset and #sunset #beach"}"#, token: author.token)
            try #require(added.status == .created)
            let comment = try JSONDecoder().decode(CommentResponse.self, from: Data(added.body.readableBytesView))
            #expect(comment.hashtags == ["sunset", "beach"])
            #expect(comment.authorID == author.id.description)
            let second = try await client.json(.post, "/v1/media/\(photo.id)/comments", #"{"text":"second"}"#, token: stranger.token)
            let secondID = try JSONDecoder().decode(CommentResponse.self, from: Data(second.body.readableBytesView)).id
            #expect(try await stack.social.media.media(id: photo.id, logger: SocialStack.logger)?.commentCount == 2)

            let list = try await client.json(.get, "/v1/media/\(photo.id)/comments?limit=1", token: owner.token)
            let page = try JSONDecoder().decode(PageResponse<CommentResponse>.self, from: Data(list.body.readableBytesView))
            #expect(page.items.map(\.id) == [secondID])
            let rest = try await client.json(.get, "/v1/media/\(photo.id)/comments?limit=1&cursor=\(try #require(page.nextCursor))", token: owner.token)
            let restPage = try JSONDecoder().decode(PageResponse<CommentResponse>.self, from: Data(rest.body.readableBytesView))
            #expect(restPage.items.map(\.id) == [comment.id])

            let forbidden = try await client.json(.delete, "/v1/media/\(photo.id)/comments/\(comment.id)", token: stranger.token)
            #expect(forbidden.status == .forbidden)
            #expect(try await client.json(.delete, "/v1/media/\(photo.id)/comments/\(comment.id)", token: owner.token).status == .noContent)
            #expect(try await client.json(.delete, "/v1/media/\(photo.id)/comments/\(comment.id)", token: owner.token).status == .notFound)
            #expect(try await client.json(.delete, "/v1/media/\(photo.id)/comments/\(secondID)", token: stranger.token).status == .noContent)
            #expect(try await stack.social.media.media(id: photo.id, logger: SocialStack.logger)?.commentCount == 0)

            let long = String(repeating: "a", count: 2_201)
            let tooLong = try await client.json(.post, "/v1/media/\(photo.id)/comments", #"{"text":"\#(long)"}"#, token: author.token)
            #expect(tooLong.status == .badRequest)
            #expect(try errorCode(tooLong.body) == "validation_failed")
            let exact = String(repeating: "é", count: 2_200)
            #expect(try await client.json(.post, "/v1/media/\(photo.id)/comments", #"{"text":"\#(exact)"}"#, token: author.token).status == .created)
            let unknown = try ShardedID(millisecondsSinceEpoch: 7, shard: owner.id.shard, sequence: 4)
            #expect(try await client.json(.post, "/v1/media/\(unknown)/comments", #"{"text":"x"}"#, token: author.token).status == .notFound)
        }
    }

    @Test func activityItemsArriveOnceEvenWhenJobsRunTwiceAndNotForYourOwnMedia() async throws {
        try await SocialStack.run { stack, client in
            let owner = try await stack.user(client, "ao")
            let fan = try await stack.user(client, "af")
            let (photo, _) = try await stack.post(owner.id)
            #expect(try await client.json(.post, "/v1/media/\(photo.id)/likes", token: fan.token).status == .ok)
            #expect(try await client.json(.post, "/v1/media/\(photo.id)/comments", #"{"text":"wow"}"#, token: fan.token).status == .created)
            #expect(try await client.json(.post, "/v1/users/\(owner.id)/follow", token: fan.token).status == .ok)
            // Your own like and comment concern nobody.
            #expect(try await client.json(.post, "/v1/media/\(photo.id)/likes", token: owner.token).status == .ok)
            #expect(try await client.json(.post, "/v1/media/\(photo.id)/comments", #"{"text":"mine"}"#, token: owner.token).status == .created)
            let rows = try await stack.outboxRows(topic: .activity, field: "recipient_id", equals: owner.id)
            #expect(rows.count == 3)
            for _ in 0..<2 {
                for row in rows { try await SocialStack.runChain(stack.activityHandler, SocialStack.job(row)) }
            }
            let answer = try await client.json(.get, "/v1/activity", token: owner.token)
            try #require(answer.status == .ok)
            let page = try JSONDecoder().decode(PageResponse<ActivityItemResponse>.self, from: Data(answer.body.readableBytesView))
            #expect(page.items.map(\.kind).sorted() == ["comment", "follow", "like"])
            #expect(page.items.allSatisfy { $0.actorID == fan.id.description })
            #expect(Set(page.items.map(\.id)) == Set(rows.map { String($0.id) }))
            // Pages by cursor, newest first, nothing twice.
            let first = try await client.json(.get, "/v1/activity?limit=2", token: owner.token)
            let firstPage = try JSONDecoder().decode(PageResponse<ActivityItemResponse>.self, from: Data(first.body.readableBytesView))
            let next = try await client.json(.get, "/v1/activity?limit=2&cursor=\(try #require(firstPage.nextCursor))", token: owner.token)
            let nextPage = try JSONDecoder().decode(PageResponse<ActivityItemResponse>.self, from: Data(next.body.readableBytesView))
            #expect(firstPage.items.map(\.id) + nextPage.items.map(\.id) == page.items.map(\.id))
            #expect(try await client.json(.get, "/v1/activity", token: fan.token).status == .ok)
        }
    }

    @Test func hashtagSearchMergesEveryShardNewestFirst() async throws {
        try await SocialStack.run { stack, client in
            let tag = "t_" + UUID().uuidString.prefix(8).lowercased()
            let db = stack.postgres
            var posted: [ShardedID] = []
            var shards = Set<Int>()
            // Users land on shards by name: sign up until the tag spans at least three shards on both servers.
            while try shards.count < 3 || Set(shards.map { try db.server(forShard: $0) }).count < db.serverCount {
                let user = try await stack.user(client, "tg")
                shards.insert(user.id.shard)
                posted.append(try await stack.post(user.id, caption: "#\(tag)", hashtags: [tag]).0.id)
            }
            let untagged = try await stack.user(client, "tn")
            _ = try await stack.post(untagged.id, caption: "nothing")
            var seen: [String] = []
            var cursor: String?
            repeat {
                let answer = try await client.json(.get, "/v1/tags/\(tag.uppercased())/media?limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""), token: untagged.token)
                try #require(answer.status == .ok)
                let page = try JSONDecoder().decode(PageResponse<MediaResponse>.self, from: Data(answer.body.readableBytesView))
                #expect(page.items.allSatisfy { $0.hashtags == [tag] })
                #expect(!page.partial)
                seen += page.items.map(\.id)
                cursor = page.nextCursor
            } while cursor != nil
            #expect(seen == posted.sorted(by: >).map(\.description))

            // The tag read costs one query per physical server, whatever the number of logical shards.
            let before = (0..<db.serverCount).map(db.callCount(server:))
            let all = try await stack.social.tags.mediaIDs(tag: tag, before: nil, limit: 100, logger: SocialStack.logger)
            let after = (0..<db.serverCount).map(db.callCount(server:))
            #expect(zip(after, before).map(-) == Array(repeating: 1, count: db.serverCount), "shards: \(db.shardMap.shardCount)")
            #expect(all.ids == posted.sorted(by: >) && !all.isPartial)
            #expect(try await client.json(.get, "/v1/tags/a-b/media", token: untagged.token).status == .badRequest)
        }
    }
}
