import API
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Storage
import TestSupport
import Testing

@Suite struct SessionTests {
    @Test func logInReturnsAnOpaqueTokenTheExpiryAndTheUser() async throws {
        let fixture = try APIFixture()
        try await fixture.app().test(.router) { client in
            let user = try await client.signUp("kay")
            let session = try await client.logIn("KAY")
            #expect(session.user == user)
            #expect(session.token.utf8.count == 43)
            #expect(SessionToken(session.token) != nil)
            let expiresAt = try #require(try? Date(session.expiresAt, strategy: .iso8601))
            #expect(expiresAt > Date().addingTimeInterval(29 * 86_400))
        }
    }

    @Test func wrongPasswordAndUnknownUserGiveIdenticalAnswers() async throws {
        let fixture = try APIFixture()
        try await fixture.app().test(.router) { client in
            _ = try await client.signUp("real.user")
            let wrong = try await client.json(.post, "/v1/sessions", #"{"username":"real.user","password":"not the one"}"#)
            let unknown = try await client.json(.post, "/v1/sessions", #"{"username":"ghost","password":"not the one"}"#)
            let impossible = try await client.json(.post, "/v1/sessions", #"{"username":"no such name!","password":"x"}"#)
            #expect(wrong.status == .unauthorized)
            #expect(unknown.status == .unauthorized)
            #expect(impossible.status == .unauthorized)
            #expect(wrong.body == unknown.body)
            #expect(wrong.body == impossible.body)
            #expect(try decodeError(wrong.body).code == "unauthorized")
        }
    }

    @Test func meAnswersTheTokensUser() async throws {
        let fixture = try APIFixture()
        try await fixture.app().test(.router) { client in
            let user = try await client.signUp("me.myself")
            let session = try await client.logIn("me.myself")
            let me = try await client.json(.get, "/v1/me", token: session.token)
            #expect(me.status == .ok)
            #expect(try JSONDecoder().decode(UserResponse.self, from: Data(me.body.readableBytesView)) == user)
        }
    }

    @Test(arguments: [nil, "bogus", String(repeating: "A", count: 43), "Basic dXNlcjpwYXNz"])
    func meWithoutAValidTokenIs401(_ token: String?) async throws {
        let fixture = try APIFixture()
        try await fixture.app().test(.router) { client in
            let answer = try await client.json(.get, "/v1/me", token: token)
            #expect(answer.status == .unauthorized)
            #expect(try decodeError(answer.body).code == "unauthorized")
        }
    }

    @Test func deleteEndsTheSessionAndOnlyThatOne() async throws {
        let fixture = try APIFixture()
        try await fixture.app().test(.router) { client in
            _ = try await client.signUp("two.devices")
            let phone = try await client.logIn("two.devices")
            let laptop = try await client.logIn("two.devices")
            #expect(try await client.json(.delete, "/v1/sessions", token: phone.token).status == .noContent)
            #expect(try await client.json(.get, "/v1/me", token: phone.token).status == .unauthorized)
            #expect(try await client.json(.delete, "/v1/sessions", token: phone.token).status == .unauthorized)
            #expect(try await client.json(.get, "/v1/me", token: laptop.token).status == .ok)
        }
    }

    @Test func useSlidesTheExpiryAndAnUnusedSessionExpires() async throws {
        let fixture = try APIFixture(sessionTTL: .seconds(1000))
        try await fixture.app().test(.router) { client in
            _ = try await client.signUp("slider")
            let session = try await client.logIn("slider")
            let token = try #require(SessionToken(session.token))
            let first = try #require(fixture.sessions.expiry(of: token))
            fixture.clock.advance(by: 900)
            #expect(try await client.json(.get, "/v1/me", token: session.token).status == .ok)
            let renewed = try #require(fixture.sessions.expiry(of: token))
            #expect(renewed.timeIntervalSince(first) == 900)
            fixture.clock.advance(by: 900)
            #expect(try await client.json(.get, "/v1/me", token: session.token).status == .ok, "still inside the renewed window")
            fixture.clock.advance(by: 1001)
            #expect(try await client.json(.get, "/v1/me", token: session.token).status == .unauthorized)
        }
    }

    @Test func tokensAreRandomAndStoredOnlyAsTheirDigest() throws {
        let a = SessionToken.random()
        let b = SessionToken.random()
        #expect(a != b)
        #expect(a.digest.count == 64)
        #expect(a.digest != a.value)
        #expect(!String(describing: a).contains(a.value))
        // The plain hex SHA-256 of the token's characters, so another tool (redis-cli, a script) can find a session.
        let known = try #require(SessionToken("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ"))
        #expect(known.digest == "46a2199782c8827f0ac56f503be9d39efee97f40a736b92cc7d7c5f825cfd851")
    }
}
