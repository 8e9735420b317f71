import Runtime
import API
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Storage
import TestSupport
import Testing
import RedisClient

@Suite(.timeLimit(.minutes(2)))
struct SessionIntegrationTests {
    @Test func logInStoresOnlyTheTokensHashInRedisWithTheTTL() async throws {
        try await AccountStack.run(sessionTTLSeconds: 3600) { stack, client in
            let user = try await client.signUp(AccountStack.uniqueName("tok"))
            let session = try await client.logIn(user.username)
            let token = try #require(SessionToken(session.token))
            let redis = stack.dependencies.redis
            #expect(try await redis.getString("session:\(token.digest)") == user.id)
            #expect(try await redis.get("session:\(session.token)") == nil)
            let ttl = try await redis.send(RedisCommand("PTTL", "session:\(token.digest)")).int()
            #expect((3_590_000...3_600_000).contains(ttl))
        }
    }

    @Test func useRefreshesTheRedisTTL() async throws {
        try await AccountStack.run(sessionTTLSeconds: 3600) { stack, client in
            let user = try await client.signUp(AccountStack.uniqueName("slide"))
            let session = try await client.logIn(user.username)
            let key = "session:\(try #require(SessionToken(session.token)).digest)"
            let redis = stack.dependencies.redis
            // Pretend most of the window has passed.
            try await redis.expire(key, after: .seconds(5))
            #expect(try await redis.send(RedisCommand("PTTL", key)).int() <= 5000)
            let me = try await client.json(.get, "/v1/me", token: session.token)
            #expect(me.status == .ok)
            #expect(try JSONDecoder().decode(UserResponse.self, from: Data(me.body.readableBytesView)) == user)
            #expect(try await redis.send(RedisCommand("PTTL", key)).int() > 3_500_000)
        }
    }

    @Test func wrongPasswordAndUnknownUserGiveTheSame401() async throws {
        try await AccountStack.run { _, client in
            let user = try await client.signUp(AccountStack.uniqueName("pw"))
            let wrong = try await client.json(.post, "/v1/sessions", #"{"username":"\#(user.username)","password":"wrong password"}"#)
            let unknown = try await client.json(.post, "/v1/sessions", #"{"username":"\#(AccountStack.uniqueName("nobody"))","password":"wrong password"}"#)
            #expect(wrong.status == .unauthorized)
            #expect(unknown.status == .unauthorized)
            #expect(wrong.body == unknown.body)
        }
    }

    @Test func meNeedsAValidTokenAndDeleteEndsTheSession() async throws {
        try await AccountStack.run { stack, client in
            let user = try await client.signUp(AccountStack.uniqueName("bye"))
            let session = try await client.logIn(user.username)
            #expect(try await client.json(.get, "/v1/me").status == .unauthorized)
            #expect(try await client.json(.get, "/v1/me", token: SessionToken.random().value).status == .unauthorized)
            #expect(try await client.json(.get, "/v1/me", token: "bogus").status == .unauthorized)
            #expect(try await client.json(.get, "/v1/me", token: session.token).status == .ok)

            #expect(try await client.json(.delete, "/v1/sessions", token: session.token).status == .noContent)
            let after = try await client.json(.get, "/v1/me", token: session.token)
            #expect(after.status == .unauthorized)
            #expect(try errorCode(after.body) == "unauthorized")
            let key = "session:\(try #require(SessionToken(session.token)).digest)"
            #expect(try await stack.dependencies.redis.get(key) == nil)
        }
    }

    @Test func metricsCountCreatedSessions() async throws {
        try await AccountStack.run { _, client in
            let user = try await client.signUp(AccountStack.uniqueName("cnt"))
            _ = try await client.logIn(user.username)
            _ = try await client.json(.post, "/v1/sessions", #"{"username":"\#(user.username)","password":"wrong password"}"#)
            let text = try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
            #expect(text.contains("darkroom_sessions_created_total 1"))
        }
    }
}
