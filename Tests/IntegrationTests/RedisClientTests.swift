import Foundation
import Logging
import Storage
import Testing
import RedisClient

/// A client on the test stack's Redis, with keys under a per-test prefix so parallel runs never collide.
struct RedisTestContext {
    let client: RedisClient
    let prefix: String

    /// The test stack's Redis; fails (never skips) without DARKROOM_REDIS_URL.
    static func configuration() throws -> RedisConfiguration {
        let url = try #require(
            ProcessInfo.processInfo.environment["DARKROOM_REDIS_URL"],
            "DARKROOM_REDIS_URL is not set: run `scripts/devstack up test && eval \"$(scripts/devstack env test)\"`"
        )
        return try RedisConfiguration(url: url)
    }

    static func make(poolSize: Int = 4) throws -> RedisTestContext {
        var configuration = try configuration()
        configuration.poolSize = poolSize
        // Phase 1 of `make test` runs every suite at once on 2 cores: waiting for a pooled connection or an answer
        // may take seconds there, and that is not what these tests are about (the timeout tests set their own).
        configuration.checkoutTimeout = .seconds(30)
        configuration.commandTimeout = .seconds(10)
        let client = try RedisClient(configuration: configuration, logger: Logger(label: "test.redis"))
        return RedisTestContext(client: client, prefix: "test:redis:\(UUID().uuidString):")
    }

    func key(_ name: String) -> String { prefix + name }

    /// Runs `body`, then deletes the test's keys and closes the client whatever happened.
    static func with(poolSize: Int = 4, _ body: (RedisTestContext) async throws -> Void) async throws {
        let context = try make(poolSize: poolSize)
        do {
            try await body(context)
        } catch {
            try? await context.cleanUp()
            await context.client.close()
            throw error
        }
        try await context.cleanUp()
        await context.client.close()
    }

    private func cleanUp() async throws {
        let keys = try await client.send(RedisCommand("KEYS", prefix + "*")).strings()
        try await client.del(keys)
    }
}

@Suite(.timeLimit(.minutes(1)))
struct RedisClientTests {
    @Test func pingAndStringsWithExpiry() async throws {
        try await RedisTestContext.with { redis in
            try await redis.client.ping()
            let key = redis.key("session")
            #expect(try await redis.client.set(key, value: "v1", expiry: .seconds(60)))
            #expect(try await redis.client.getString(key) == "v1")
            #expect(try await !redis.client.set(key, value: "v2", condition: .ifNotExists))
            #expect(try await redis.client.getString(key) == "v1")
            let ttl = try await redis.client.send(RedisCommand("PTTL", key)).int()
            #expect((1...60_000).contains(ttl))
            #expect(try await redis.client.expire(key, after: .seconds(5)))
            #expect(try await redis.client.incr(redis.key("n")) == 1)
            #expect(try await redis.client.incr(redis.key("n"), by: 9) == 10)
            #expect(try await redis.client.del(key, redis.key("n")) == 2)
            #expect(try await redis.client.get(key) == nil)
        }
    }

    @Test func valuesAreBinarySafe() async throws {
        try await RedisTestContext.with { redis in
            let value: [UInt8] = [0, 13, 10, 0, 255, 36, 42]
            let key = redis.key("bin\u{0}\r\nkey")
            try await redis.client.set(key, value: value)
            #expect(try await redis.client.get(key) == value)
            try await redis.client.set(redis.key("empty"), value: [UInt8]())
            #expect(try await redis.client.get(redis.key("empty")) == [])
        }
    }

    @Test func errorReplyThrowsCommandFailedAndConnectionStaysUsable() async throws {
        try await RedisTestContext.with(poolSize: 1) { redis in
            let key = redis.key("list")
            try await redis.client.lpush(key, values: [Array("x".utf8)])
            do {
                _ = try await redis.client.getString(key)
                Issue.record("GET on a list should fail")
            } catch let error as RedisError {
                #expect(error.code == .commandFailed)
                #expect(error.serverCode == "WRONGTYPE")
            }
            try await redis.client.ping()
        }
    }

    @Test func pipelineOfAThousandCommandsKeepsOrder() async throws {
        try await RedisTestContext.with { redis in
            let counter = redis.key("counter")
            var commands: [RedisCommand] = []
            for index in 0..<1000 {
                commands.append(index % 2 == 0 ? .incr(counter) : .set(redis.key("k\(index)"), value: index))
            }
            // An error reply in the middle is a value and does not disturb the replies after it.
            commands[500] = RedisCommand("HGET", counter, "field")
            let replies = try await redis.client.pipeline(commands)
            #expect(replies.count == 1000)
            var expectedCounter: Int64 = 0
            for (index, reply) in replies.enumerated() {
                if index == 500 {
                    #expect(reply.errorPrefix == "WRONGTYPE")
                } else if index % 2 == 0 {
                    expectedCounter += 1
                    #expect(reply == .integer(expectedCounter), "reply \(index)")
                } else {
                    #expect(reply == .status("OK"), "reply \(index)")
                }
            }
            #expect(try await redis.client.getString(redis.key("k999")) == "999")
        }
    }

    @Test func hashesListsAndSortedSets() async throws {
        try await RedisTestContext.with { redis in
            let hash = redis.key("hash")
            #expect(try await redis.client.hset(hash, fields: [("a", Array("1".utf8)), ("b", [0, 1])]) == 2)
            #expect(try await redis.client.hget(hash, field: "b") == [0, 1])
            #expect(try await redis.client.hincrby(hash, field: "a", by: 4) == 5)
            #expect(try await redis.client.hgetall(hash) == ["a": Array("5".utf8), "b": [0, 1]])
            #expect(try await redis.client.hdel(hash, fields: "a", "zzz") == 1)

            let list = redis.key("list")
            for value in 1...5 { try await redis.client.lpush(list, values: [Array("\(value)".utf8)]) }
            try await redis.client.ltrim(list, start: 0, stop: 2)
            #expect(try await redis.client.lrange(list, start: 0, stop: -1).map { String(decoding: $0, as: UTF8.self) } == ["5", "4", "3"])

            let feed = redis.key("feed")
            let members = (1...10).map { RedisScoredMember("m\($0)", score: Double($0)) }
            #expect(try await redis.client.zadd(feed, members: members) == 10)
            #expect(try await redis.client.zcard(feed) == 10)
            #expect(try await redis.client.zrange(feed, start: 0, stop: 2, reverse: true) == ["m10", "m9", "m8"])
            let page = try await redis.client.zrangeByScore(feed, min: .negativeInfinity, max: .exclusive(8), reverse: true, limit: .init(count: 3))
            #expect(page == [.init("m7", score: 7), .init("m6", score: 6), .init("m5", score: 5)])
            #expect(try await redis.client.zremrangebyrank(feed, start: 0, stop: -6) == 5)
            #expect(try await redis.client.zrangeWithScores(feed, start: 0, stop: 0) == [.init("m6", score: 6)])
            #expect(try await redis.client.zrem(feed, members: ["m6", "nope"]) == 1)
            #expect(try await redis.client.zscore(feed, member: "m10") == 10)
            #expect(try await redis.client.zscore(feed, member: "m1") == nil)
        }
    }

    @Test func multiExecRunsAsOneTransaction() async throws {
        try await RedisTestContext.with { redis in
            let counter = redis.key("tx-counter")
            let list = redis.key("tx-list")
            try await redis.client.lpush(list, values: [Array("x".utf8)])
            let replies = try await redis.client.transaction([
                .incr(counter), .incr(counter, by: 10),
                // Fails at run time (wrong type): an error value inside EXEC, the others still apply.
                RedisCommand("INCR", list),
                .get(counter),
            ])
            #expect(replies.count == 4)
            #expect(replies[0] == .integer(1))
            #expect(replies[1] == .integer(11))
            #expect(replies[2].errorPrefix == "WRONGTYPE")
            #expect(try replies[3].string() == "11")
        }
    }

    @Test func multiExecWithAQueueingErrorIsAborted() async throws {
        try await RedisTestContext.with { redis in
            let counter = redis.key("aborted")
            do {
                _ = try await redis.client.transaction([.incr(counter), RedisCommand("NO-SUCH-COMMAND")])
                Issue.record("expected EXECABORT")
            } catch let error as RedisError {
                #expect(error.code == .commandFailed)
                #expect(error.serverCode == "EXECABORT")
            }
            #expect(try await redis.client.get(counter) == nil)
        }
    }

    @Test func geoAddSearchAndPosition() async throws {
        try await RedisTestContext.with { redis in
            let key = redis.key("geo")
            let added = try await redis.client.geoadd(key, members: [
                .init("palermo", .init(longitude: 13.361389, latitude: 38.115556)),
                .init("catania", .init(longitude: 15.087269, latitude: 37.502669)),
            ])
            #expect(added == 2)
            let near = try await redis.client.geosearch(
                key, from: .init(longitude: 15, latitude: 37), radius: 200, unit: .kilometers, withDistance: true, withCoordinate: true)
            #expect(near.map(\.member) == ["catania", "palermo"])
            let catania = try #require(near.first)
            #expect(abs(try #require(catania.distance) - 56.4413) < 0.01)
            #expect(abs(try #require(catania.coordinate).longitude - 15.087269) < 0.0001)
            let close = try await redis.client.geosearch(key, from: .init(longitude: 15, latitude: 37), radius: 100, unit: .kilometers)
            #expect(close.map(\.member) == ["catania"])
            let positions = try await redis.client.geopos(key, members: ["palermo", "nowhere"])
            #expect(positions.count == 2)
            #expect(abs(try #require(positions[0]).latitude - 38.115556) < 0.0001)
            #expect(positions[1] == nil)
        }
    }

    @Test func twoHundredConcurrentIncrementsThroughAPoolOfFour() async throws {
        try await RedisTestContext.with(poolSize: 4) { redis in
            let key = redis.key("concurrent")
            let client = redis.client
            try await withThrowingDiscardingTaskGroup { group in
                for _ in 0..<200 {
                    group.addTask { try await client.incr(key) }
                }
            }
            #expect(try await client.getString(key) == "200")
        }
    }

    @Test func closedClientFailsWithUnavailable() async throws {
        let redis = try RedisTestContext.make()
        try await redis.client.ping()
        await redis.client.close()
        do {
            try await redis.client.ping()
            Issue.record("a closed client must refuse calls")
        } catch let error as RedisError {
            #expect(error.code == .unavailable)
        }
    }

    @Test func refusedAuthFailsWithAccessDenied() async throws {
        var configuration = try RedisTestContext.configuration()
        // The test stack's Redis has no password, so any AUTH is refused.
        configuration.password = "not-the-password"
        let client = try RedisClient(configuration: configuration)
        do {
            try await client.ping()
            Issue.record("AUTH against a server without a password must fail")
        } catch let error as RedisError {
            #expect(error.code == .accessDenied)
        }
        await client.close()
    }

    @Test func databaseFromTheURLIsSelected() async throws {
        try await RedisTestContext.with { redis in
            var configuration = redis.client.configuration
            configuration.database = 3
            let db3 = try RedisClient(configuration: configuration)
            let key = redis.key("in-db-3")
            do {
                try await db3.set(key, value: "x", expiry: .seconds(30))
                #expect(try await db3.getString(key) == "x")
                #expect(try await redis.client.getString(key) == nil)
                try await db3.del(key)
            } catch {
                await db3.close()
                throw error
            }
            await db3.close()
        }
    }

    @Test func unreachableServerFailsWithUnavailable() async throws {
        // Port 1 on loopback: nothing listens there, so connect is refused at once.
        let client = try RedisClient(configuration: RedisConfiguration(host: "127.0.0.1", port: 1))
        do {
            try await client.ping()
            Issue.record("ping to a closed port must fail")
        } catch let error as RedisError {
            #expect(error.code == .unavailable)
        }
        await client.close()
    }

    @Test func blockingReadLongerThanTheCommandTimeoutReturnsEmpty() async throws {
        let context = try RedisTestContext.make(poolSize: 1)
        var configuration = try RedisTestContext.configuration()
        configuration.poolSize = 1
        configuration.commandTimeout = .milliseconds(200)
        let client = try RedisClient(configuration: configuration)
        let stream = context.key("blocking")
        do {
            #expect(try await client.xgroupCreate(stream, group: "g", startID: "$"))
            // BLOCK 500 ms outlives the 200 ms socket timeout: the per-call widening must keep the context alive.
            let entries = try await client.xreadgroup(group: "g", consumer: "c", stream: stream, count: 1, block: .milliseconds(500))
            #expect(entries.isEmpty)
            // The restored timeout still applies: a blocking command not marked as such (BLPOP 1 s) outlives
            // it and fails as a timeout; the next call reconnects.
            do {
                _ = try await client.send(RedisCommand("BLPOP", context.key("empty-list"), 1))
                Issue.record("expected a read timeout")
            } catch let error as RedisError {
                #expect(error.code == .timeout)
            }
            try await client.ping()
        } catch {
            await client.close()
            _ = try? await context.client.del(stream)
            await context.client.close()
            throw error
        }
        await client.close()
        try await context.client.del(stream)
        await context.client.close()
    }
}
