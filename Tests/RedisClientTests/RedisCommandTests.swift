import Testing

@testable import RedisClient

@Suite struct RedisCommandTests {
    private func words(_ command: RedisCommand) -> [String] {
        command.arguments.map { String(decoding: $0, as: UTF8.self) }
    }

    @Test func respFramingUsesByteLengths() {
        let command = RedisCommand("SET", "k", [UInt8]([0, 13, 10]))
        #expect(command.resp == Array("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\n".utf8) + [0, 13, 10] + Array("\r\n".utf8))
        #expect(RedisCommand("SET", "é").resp == Array("*2\r\n$3\r\nSET\r\n$2\r\né\r\n".utf8))
    }

    @Test func argumentsEncodeNumbersCanonically() {
        #expect(words(RedisCommand("X", 42, Int64(-7), 1.5, Double.infinity, -Double.infinity)) == ["X", "42", "-7", "1.5", "+inf", "-inf"])
    }

    @Test(arguments: [
        (Duration.seconds(2), 2000 as Int64),
        (.milliseconds(1), 1),
        (.microseconds(1), 1),
        (.milliseconds(1500), 1500),
        (.zero, 0),
    ])
    func durationsRoundUpToMilliseconds(duration: Duration, millis: Int64) {
        #expect(duration.redisMilliseconds == millis)
    }

    @Test func setEncodesExpiryAndCondition() {
        #expect(words(.set("k", value: "v")) == ["SET", "k", "v"])
        #expect(words(.set("k", value: "v", expiry: .seconds(60), condition: .ifNotExists)) == ["SET", "k", "v", "EX", "60", "NX"])
        #expect(words(.set("k", value: "v", expiry: .milliseconds(1500), condition: .ifExists)) == ["SET", "k", "v", "PX", "1500", "XX"])
        #expect(words(.expire("k", after: .seconds(5))) == ["PEXPIRE", "k", "5000"])
        #expect(words(.incr("k")) == ["INCR", "k"])
        #expect(words(.incr("k", by: 5)) == ["INCRBY", "k", "5"])
        #expect(words(.del(["a", "b"])) == ["DEL", "a", "b"])
    }

    @Test func scoreRangesPutTheHighBoundFirstWhenReversed() {
        let forward = RedisCommand.zrangeByScore("feed", min: .exclusive(10), max: .positiveInfinity, limit: .init(count: 20), withScores: true)
        #expect(words(forward) == ["ZRANGE", "feed", "(10.0", "+inf", "BYSCORE", "LIMIT", "0", "20", "WITHSCORES"])
        let reverse = RedisCommand.zrangeByScore("feed", min: .negativeInfinity, max: .exclusive(99), reverse: true, limit: .init(offset: 5, count: 10))
        #expect(words(reverse) == ["ZRANGE", "feed", "(99.0", "-inf", "BYSCORE", "REV", "LIMIT", "5", "10"])
        #expect(words(.zrange("z", start: 0, stop: -1, reverse: true, withScores: true)) == ["ZRANGE", "z", "0", "-1", "REV", "WITHSCORES"])
        #expect(words(.zadd("z", members: [.init("m1", score: 1), .init("m2", score: 2.5)])) == ["ZADD", "z", "1.0", "m1", "2.5", "m2"])
        #expect(words(.zremrangebyrank("z", start: 0, stop: -501)) == ["ZREMRANGEBYRANK", "z", "0", "-501"])
    }

    @Test func xaddTrimsOnlyWithMinID() {
        #expect(words(.xadd("jobs", fields: [("job", Array("1".utf8))])) == ["XADD", "jobs", "*", "job", "1"])
        #expect(words(.xadd("jobs", fields: [("a", []), ("b", [0x41])], trimMinID: "1700000000000-0"))
            == ["XADD", "jobs", "MINID", "~", "1700000000000-0", "*", "a", "", "b", "A"])
        #expect(words(.xadd("jobs", fields: [("a", [0x41])], trimMinID: "5-0", approximateTrim: false)) == ["XADD", "jobs", "MINID", "5-0", "*", "a", "A"])
    }

    @Test func xreadgroupMarksBlockingCommands() {
        let blocking = RedisCommand.xreadgroup(group: "g", consumer: "c", stream: "s", count: 10, block: .milliseconds(1500))
        #expect(words(blocking) == ["XREADGROUP", "GROUP", "g", "c", "COUNT", "10", "BLOCK", "1500", "STREAMS", "s", ">"])
        #expect(blocking.serverBlockTime == .milliseconds(1500))
        let history = RedisCommand.xreadgroup(group: "g", consumer: "c", stream: "s", position: .pending)
        #expect(words(history) == ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "0"])
        #expect(history.serverBlockTime == nil)
        #expect(words(.xreadgroup(group: "g", consumer: "c", stream: "s", position: .pendingAfter("5-1"))).last == "5-1")
    }

    @Test func streamAdministrationCommands() {
        #expect(words(.xgroupCreate("s", group: "g")) == ["XGROUP", "CREATE", "s", "g", "0", "MKSTREAM"])
        #expect(words(.xgroupCreate("s", group: "g", startID: "$", makeStream: false)) == ["XGROUP", "CREATE", "s", "g", "$"])
        #expect(words(.xack("s", group: "g", ids: ["1-0", "2-0"])) == ["XACK", "s", "g", "1-0", "2-0"])
        #expect(words(.xautoclaim("s", group: "g", consumer: "c2", minIdle: .seconds(30), count: 50))
            == ["XAUTOCLAIM", "s", "g", "c2", "30000", "0-0", "COUNT", "50"])
        #expect(words(.xpendingSummary("s", group: "g")) == ["XPENDING", "s", "g"])
        #expect(words(.xpending("s", group: "g", minIdle: .seconds(1), count: 10, consumer: "c"))
            == ["XPENDING", "s", "g", "IDLE", "1000", "-", "+", "10", "c"])
        #expect(words(.xdel("s", ids: ["1-0"])) == ["XDEL", "s", "1-0"])
        #expect(words(.xrange("s", count: 3)) == ["XRANGE", "s", "-", "+", "COUNT", "3"])
    }

    @Test func geoCommandsPutLongitudeFirst() {
        let add = RedisCommand.geoadd("geo", members: [.init("p1", .init(longitude: 13.361389, latitude: 38.115556))])
        #expect(words(add) == ["GEOADD", "geo", "13.361389", "38.115556", "p1"])
        let search = RedisCommand.geosearch("geo", from: .init(longitude: 15, latitude: 37), radius: 200, unit: .kilometers, count: 5,
                                            withDistance: true, withCoordinate: true)
        #expect(words(search) == ["GEOSEARCH", "geo", "FROMLONLAT", "15.0", "37.0", "BYRADIUS", "200.0", "km", "ASC", "COUNT", "5", "WITHCOORD", "WITHDIST"])
        #expect(words(.geopos("geo", members: ["a", "b"])) == ["GEOPOS", "geo", "a", "b"])
    }

    @Test func hashAndListCommands() {
        #expect(words(.hset("h", fields: [("a", Array("1".utf8)), ("b", Array("2".utf8))])) == ["HSET", "h", "a", "1", "b", "2"])
        #expect(words(.hdel("h", fields: ["a"])) == ["HDEL", "h", "a"])
        #expect(words(.lpush("l", values: [Array("x".utf8), Array("y".utf8)])) == ["LPUSH", "l", "x", "y"])
        #expect(words(.ltrim("l", start: 0, stop: 99)) == ["LTRIM", "l", "0", "99"])
    }
}
