import Runtime
import API
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import RedisClient
import NIOCore
import Storage
import TestSupport
import Testing

/// Rate limits on the real Redis: they trip, recover, hold across processes, and answer 429 with Retry-After.
@Suite(.timeLimit(.minutes(2)))
struct RateLimitIntegrationTests {
    static func redis() throws -> RedisClient {
        let configuration = try TestStack.configuration()
        return try RedisClient(configuration: try RedisConfiguration(url: configuration.redis.url))
    }

    static func key() -> String { "test:\(UUID().uuidString)" }

    @Test func aLimitTripsAfterItsBurstAndRecoversAfterRetryAfter() async throws {
        let redis = try Self.redis()
        defer { Task { await redis.close() } }
        let limiter = RedisRateLimiter(redis: redis)
        let limit = RateLimit(count: 3, period: .seconds(1))
        let key = Self.key()
        var answers: [RateLimitDecision] = []
        for _ in 0..<4 { answers.append(try await limiter.take([(key: key, limit: limit)])) }
        #expect(answers.map(\.allowed) == [true, true, true, false])
        #expect(answers.map(\.remaining) == [2, 1, 0, 0])
        let refused = answers[3]
        #expect(refused.retryAfter > .zero && refused.retryAfter <= .milliseconds(334))
        #expect(refused.limitedIndex == 0)
        try await Task.sleep(for: refused.retryAfter + .milliseconds(20))
        #expect(try await limiter.take([(key: key, limit: limit)]).allowed)
        #expect(try await !limiter.take([(key: key, limit: limit)]).allowed)
    }

    @Test func twoProcessesSpendFromOneAllowance() async throws {
        let first = try Self.redis()
        let second = try Self.redis()
        defer { Task { await first.close(); await second.close() } }
        let limit = RateLimit(count: 2, period: .seconds(3600))
        let key = Self.key()
        #expect(try await RedisRateLimiter(redis: first).take([(key: key, limit: limit)]).allowed)
        #expect(try await RedisRateLimiter(redis: second).take([(key: key, limit: limit)]).allowed)
        let refused = try await RedisRateLimiter(redis: first).take([(key: key, limit: limit)])
        #expect(!refused.allowed)
        #expect(try await !RedisRateLimiter(redis: second).take([(key: key, limit: limit)]).allowed)
        // One request every period / count: half an hour.
        #expect(refused.retryAfter > .seconds(1790) && refused.retryAfter <= .seconds(1800))
    }

    @Test func aRefusedCheckOfSeveralKeysSpendsFromNone() async throws {
        let redis = try Self.redis()
        defer { Task { await redis.close() } }
        let limiter = RedisRateLimiter(redis: redis)
        let tight = (key: Self.key(), limit: RateLimit(count: 1, period: .seconds(3600)))
        let loose = (key: Self.key(), limit: RateLimit(count: 2, period: .seconds(3600)))
        #expect(try await limiter.take([loose, tight]).allowed)
        let refused = try await limiter.take([loose, tight])
        #expect(!refused.allowed && refused.limitedIndex == 1)
        // The loose key kept its second request.
        #expect(try await limiter.take([loose]).allowed)
        #expect(try await !limiter.take([loose]).allowed)
    }

    // MARK: - Over HTTP

    static func login(
        _ client: any TestClientProtocol, _ username: String, password: String, from address: String
    ) async throws -> (status: HTTPResponse.Status, headers: HTTPFields, body: ByteBuffer) {
        let headers: HTTPFields = [.contentType: "application/json", HTTPField.Name("X-Forwarded-For")!: address]
        return try await client.execute(
            uri: "/v1/sessions", method: .post, headers: headers,
            body: ByteBuffer(string: #"{"username":"\#(username)","password":"\#(password)"}"#)
        ) { ($0.status, $0.headers, $0.body) }
    }

    static func randomAddress() -> String { "198.18.\(UInt8.random(in: 0...255)).\(UInt8.random(in: 1...254))" }

    /// Served on a socket from 127.0.0.1, trusted as a proxy, so each test picks its client address with X-Forwarded-For.
    static func run(_ limits: [String: String], _ body: @Sendable (AccountStack, any TestClientProtocol) async throws -> Void) async throws {
        try await AccountStack.run(environment: limits.merging(["DARKROOM_TRUSTED_PROXIES": "127.0.0.1/32, ::1"]) { $1 }, live: true, body)
    }

    @Test func wrongPasswordsForOneAccountAre429BeforeAnyBcrypt() async throws {
        try await Self.run(["DARKROOM_RATE_LOGIN_ACCOUNT": "3/1h"]) { _, client in
            let name = AccountStack.uniqueName("rl")
            _ = try await client.signUp(name)
            // From three addresses: the account's allowance is what runs out.
            for _ in 0..<3 {
                #expect(try await Self.login(client, name, password: "wrong password", from: Self.randomAddress()).status == .unauthorized)
            }
            let refused = try await Self.login(client, name, password: "correct horse", from: Self.randomAddress())
            #expect(refused.status == .tooManyRequests)
            #expect(try errorCode(refused.body) == "rate_limited")
            let retryAfter = try #require(refused.headers[.retryAfter].flatMap(Int.init))
            #expect(retryAfter > 1100 && retryAfter <= 1200)
            #expect(refused.headers[HTTPField.Name("RateLimit-Policy")!] == "\"login-account\";q=3;w=3600")
            #expect(refused.headers[HTTPField.Name("RateLimit")!] == "\"login-account\";r=0;t=\(retryAfter)")
            // Another account is not affected.
            let other = AccountStack.uniqueName("rl")
            _ = try await client.signUp(other)
            #expect(try await Self.login(client, other, password: "correct horse", from: Self.randomAddress()).status == .created)
        }
    }

    @Test func oneAddressIsLimitedAcrossAccountsAndOnlyThroughATrustedProxy() async throws {
        try await Self.run(["DARKROOM_RATE_LOGIN_IP": "2/1h", "DARKROOM_RATE_SIGNUP_IP": "2/1h"]) { _, client in
            let address = Self.randomAddress()
            for _ in 0..<2 {
                let answer = try await client.execute(
                    uri: "/v1/users", method: .post,
                    headers: [.contentType: "application/json", HTTPField.Name("X-Forwarded-For")!: "6.6.6.6, \(address)"],
                    body: ByteBuffer(string: #"{"username":"\#(AccountStack.uniqueName("ra"))","password":"correct horse"}"#)) { $0.status }
                #expect(answer == .created)
            }
            let third = try await client.execute(
                uri: "/v1/users", method: .post, headers: [.contentType: "application/json", HTTPField.Name("X-Forwarded-For")!: address],
                body: ByteBuffer(string: #"{"username":"\#(AccountStack.uniqueName("ra"))","password":"correct horse"}"#)) { $0.status }
            #expect(third == .tooManyRequests)

            for name in ["nobody_\(UUID().uuidString.prefix(6).lowercased())", "x"] {
                #expect(try await Self.login(client, name, password: "wrong password", from: address).status == .unauthorized)
            }
            #expect(try await Self.login(client, "anyone", password: "wrong password", from: address).status == .tooManyRequests)
            // Another client address behind the same proxy has its own allowance.
            #expect(try await Self.login(client, "anyone", password: "wrong password", from: Self.randomAddress()).status == .unauthorized)
        }
    }

    @Test(arguments: [
        ("DARKROOM_RATE_COMMENT_USER", "comment"),
        ("DARKROOM_RATE_LIKE_USER", "like"),
        ("DARKROOM_RATE_FOLLOW_USER", "follow"),
        ("DARKROOM_RATE_UPLOAD_USER", "upload"),
    ])
    func writesPerUserAreLimited(variable: String, kind: String) async throws {
        try await Self.run([variable: "2/1h"]) { stack, client in
            let social = SocialStack(dependencies: stack.dependencies, social: stack.social, feed: FeedConfiguration())
            let me = try await social.user(client, "rw")
            let other = try await social.user(client, "ro")
            let media = try await social.post(other.id).0.id
            func write(_ index: Int) async throws -> HTTPResponse.Status {
                switch kind {
                case "comment": try await client.json(.post, "/v1/media/\(media)/comments", #"{"text":"nice \#(index)"}"#, token: me.token).status
                case "like": try await client.json(index % 2 == 0 ? .post : .delete, "/v1/media/\(media)/likes", token: me.token).status
                case "follow": try await client.json(index % 2 == 0 ? .post : .delete, "/v1/users/\(other.id)/follow", token: me.token).status
                default: try await client.uploadRaw([0x00, 0x01], token: me.token).status
                }
            }
            let first = try await write(0)
            let second = try await write(1)
            #expect(first != .tooManyRequests && second != .tooManyRequests)
            #expect(try await write(2) == .tooManyRequests)
            // Limits are per user: the other user still writes.
            if kind == "comment" {
                #expect(try await client.json(.post, "/v1/media/\(media)/comments", #"{"text":"mine"}"#, token: other.token).status == .created)
            }
        }
    }
}
