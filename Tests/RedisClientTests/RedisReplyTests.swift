import Testing

@testable import RedisClient

@Suite struct RedisReplyTests {
    @Test func hiredisReaderDecodesEveryReplyType() throws {
        let resp = Array("+OK\r\n-WRONGTYPE Operation against a key\r\n:-42\r\n$3\r\nabc\r\n$-1\r\n*-1\r\n*2\r\n$0\r\n\r\n:7\r\n".utf8)
        let replies = try RedisConnection.decode(resp: resp)
        #expect(replies == [
            .status("OK"),
            .error("WRONGTYPE Operation against a key"),
            .integer(-42),
            .bulk(Array("abc".utf8)),
            .bulk(nil),
            // hiredis 0.14 reports a null array as REDIS_REPLY_NIL too.
            .bulk(nil),
            .array([.bulk([]), .integer(7)]),
        ])
    }

    @Test func bulkStringsAreBinarySafe() throws {
        let payload: [UInt8] = [0, 13, 10, 255, 0, 36]
        let resp = Array("$6\r\n".utf8) + payload + Array("\r\n".utf8)
        let replies = try RedisConnection.decode(resp: resp)
        #expect(replies == [.bulk(payload)])
        #expect(try replies[0].bytes() == payload)
    }

    @Test func malformedRespIsAProtocolError() {
        #expect(throws: RedisError.self) { try RedisConnection.decode(resp: Array("?what\r\n".utf8)) }
    }

    @Test func nullRepliesDecodeAsNil() throws {
        for null in [RedisReply.bulk(nil), .array(nil)] {
            #expect(null.isNull)
            #expect(try null.string() == nil)
            #expect(try null.array() == nil)
            #expect(try null.elements() == [])
            #expect(try null.double() == nil)
        }
    }

    @Test(arguments: [
        ("WRONGTYPE Operation against a key holding the wrong kind of value", RedisError.Code.commandFailed, "WRONGTYPE"),
        ("NOAUTH Authentication required.", .accessDenied, "NOAUTH"),
        ("WRONGPASS invalid username-password pair or user is disabled.", .accessDenied, "WRONGPASS"),
        ("BUSYGROUP Consumer Group name already exists", .commandFailed, "BUSYGROUP"),
        ("ERR", .commandFailed, "ERR"),
    ])
    func errorRepliesMapToRedisErrors(message: String, code: RedisError.Code, prefix: String) throws {
        let reply = RedisReply.error(message)
        #expect(reply.errorPrefix == prefix)
        let error = try #require(reply.error)
        #expect(error.code == code)
        #expect(error.serverCode == prefix)
        #expect(throws: RedisError.self) { try reply.string() }
        #expect(throws: RedisError.self) { try reply.int() }
    }

    @Test func typedAccessorsRejectTheWrongShape() {
        #expect(throws: RedisError.self) { try RedisReply.integer(1).string() }
        #expect(throws: RedisError.self) { try RedisReply.bulk(Array("x".utf8)).array() }
        #expect(throws: RedisError.self) { try RedisReply.bulk(Array("twelve".utf8)).int() }
        #expect(throws: RedisError.self) { try RedisReply.status("QUEUED").expectOK() }
        #expect(throws: RedisError.self) { try RedisReply.bulk(nil).requiredString() }
        do {
            try RedisReply.array([]).expectOK()
            Issue.record("expected a protocol error")
        } catch {
            #expect(error.code == .protocolError)
        }
    }

    @Test func numbersDecodeFromIntegersAndBulkStrings() throws {
        #expect(try RedisReply.integer(12).int() == 12)
        #expect(try RedisReply.bulk(Array("-5".utf8)).int() == -5)
        #expect(try RedisReply.bulk(Array("1.5".utf8)).double() == 1.5)
        #expect(try RedisReply.bulk(Array("inf".utf8)).double() == .infinity)
        #expect(try RedisReply.bulk(Array("-inf".utf8)).double() == -.infinity)
        #expect(try RedisReply.status("OK").string() == "OK")
    }

    @Test func withScoresPairsDecode() throws {
        let reply: RedisReply = ["a", "1", "b", "2.5"]
        #expect(try reply.scoredMembers() == [RedisScoredMember("a", score: 1), RedisScoredMember("b", score: 2.5)])
        #expect(throws: RedisError.self) { try RedisReply.array(["a"]).scoredMembers() }
    }

    @Test func hashPairsKeepOrder() throws {
        let reply: RedisReply = ["f1", "v1", "f2", .bulk([0, 1])]
        let pairs = try reply.fieldValuePairs()
        #expect(pairs.map(\.0) == ["f1", "f2"])
        #expect(pairs.map(\.1) == [Array("v1".utf8), [0, 1]])
    }

    @Test func transactionResultIsTheExecArray() throws {
        let replies: [RedisReply] = [.status("OK"), .status("QUEUED"), .status("QUEUED"), [1, .error("WRONGTYPE nope")]]
        #expect(try RedisReply.transactionResult(replies) == [1, .error("WRONGTYPE nope")])
    }

    @Test func execAbortThrowsWithTheQueueingError() {
        let replies: [RedisReply] = [
            .status("OK"), .error("ERR unknown command 'NOPE'"), .error("EXECABORT Transaction discarded because of previous errors."),
        ]
        do {
            _ = try RedisReply.transactionResult(replies)
            Issue.record("expected EXECABORT to throw")
        } catch {
            #expect(error.code == .commandFailed)
            #expect(error.serverCode == "EXECABORT")
            #expect(error.message.contains("unknown command"))
        }
    }

    @Test func geoSearchRepliesDecodeInOptionOrder() throws {
        let reply: RedisReply = [
            ["home", "0.0000", ["13.36138933897018433", "38.11555639549629859"]],
            ["work", "1.5", ["13.5", "38.2"]],
        ]
        let matches = try reply.geoMatches(withDistance: true, withCoordinate: true)
        #expect(matches.map(\.member) == ["home", "work"])
        #expect(matches.map(\.distance) == [0, 1.5])
        #expect(matches[1].coordinate == RedisGeoCoordinate(longitude: 13.5, latitude: 38.2))
        #expect(try RedisReply.array(["a", "b"]).geoMatches(withDistance: false, withCoordinate: false).map(\.member) == ["a", "b"])
        #expect(try RedisReply.array([["a", "2"]]).geoMatches(withDistance: true, withCoordinate: false).first?.distance == 2)
        #expect(throws: RedisError.self) { try RedisReply.array([["a"]]).geoMatches(withDistance: true, withCoordinate: false) }
    }

    @Test func geoposKeepsMissingMembersAsNil() throws {
        let reply: RedisReply = [["1.5", "2.5"], .bulk(nil)]
        let positions = try reply.elements().map { try $0.geoCoordinate() }
        #expect(positions == [RedisGeoCoordinate(longitude: 1.5, latitude: 2.5), nil])
    }
}
