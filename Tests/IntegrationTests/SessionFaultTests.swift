import Runtime
import API
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Storage
import TestSupport
import Testing

/// Accounts and sessions with a dependency of the shared stack stopped: a down dependency is a 503 with
/// Retry-After for exactly the requests that need it, never a 401 or a 500.
@Suite(.serialized, .enabled(if: TestStack.faultTestsEnabled, "fault tests run alone in phase 2 of make test"))
struct SessionFaultTests {
    @Test(.timeLimit(.minutes(3)))
    func redisDownKeepsRecentSessionsAndMakesOthers503() async throws {
        try await AccountStack.run { stack, client in
            let user = try await client.signUp(AccountStack.uniqueName("rd"))
            let session = try await client.logIn(user.username)
            // A valid session this process has never seen (as if created by another API process).
            let unseen = SessionToken.random()
            try await RedisSessionStore(redis: stack.dependencies.redis)
                .create(unseen, userID: try #require(ShardedID(string: user.id)), ttl: .seconds(600), logger: AccountStack.logger)

            try await TestStack.withStopped(.redis) {
                let me = try await client.json(.get, "/v1/me", token: unseen.value)
                #expect(me.status == .serviceUnavailable, "a valid token must not look invalid while Redis is down")
                #expect(me.headers[.retryAfter] != nil)
                #expect(try errorCode(me.body) == "unavailable")
                let seen = try await client.json(.get, "/v1/me", token: session.token)
                #expect(seen.status == .ok, "a session seen within the stale limit rides out the outage")
                let login = try await client.json(.post, "/v1/sessions", #"{"username":"\#(user.username)","password":"correct horse"}"#)
                #expect(login.status == .serviceUnavailable)
                _ = try await client.signUp(AccountStack.uniqueName("rd2"))
            }

            var status = HTTPResponse.Status.serviceUnavailable
            let start = ContinuousClock.now
            while status == .serviceUnavailable, ContinuousClock.now - start < .seconds(30) {
                status = try await client.json(.get, "/v1/me", token: session.token).status
                if status == .serviceUnavailable { try await Task.sleep(for: .milliseconds(200)) }
            }
            #expect(status == .ok, "the session survives a Redis restart (AOF)")
        }
    }

    @Test(.timeLimit(.minutes(3)))
    func oneServerDownFailsOnlyItsUsers() async throws {
        try await AccountStack.run { stack, client in
            func name(onServer server: Int) throws -> String { try stack.username(onServer: server) }
            let onZero = try await client.signUp(try name(onServer: 0))
            let onOne = try await client.signUp(try name(onServer: 1))

            try await TestStack.withStopped(.pg1) {
                let newOnOne = try await client.json(.post, "/v1/users", #"{"username":"\#(try name(onServer: 1))","password":"correct horse"}"#)
                #expect(newOnOne.status == .serviceUnavailable)
                #expect(newOnOne.headers[.retryAfter] != nil)
                #expect(try await client.json(.get, "/v1/users/\(onOne.id)").status == .serviceUnavailable)
                let loginOne = try await client.json(.post, "/v1/sessions", #"{"username":"\#(onOne.username)","password":"correct horse"}"#)
                #expect(loginOne.status == .serviceUnavailable)

                _ = try await client.signUp(try name(onServer: 0))
                #expect(try await client.json(.get, "/v1/users/\(onZero.id)").status == .ok)
                _ = try await client.logIn(onZero.username)
            }
        }
    }
}
