import Testing

@testable import RedisClient

@Suite struct RedisStreamParsingTests {
    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func xreadgroupReplyDecodesPerStream() throws {
        let reply: RedisReply = [
            ["jobs", [
                ["1-0", ["job", "42", "kind", "feed"]],
                ["1-1", ["job", .bulk([0, 255])]],
            ]],
        ]
        let reads = try reply.streamReads()
        #expect(reads.count == 1)
        #expect(reads[0].stream == "jobs")
        #expect(reads[0].entries.map(\.id) == ["1-0", "1-1"])
        #expect(reads[0].entries[0].string("job") == "42")
        #expect(reads[0].entries[0].string("kind") == "feed")
        #expect(reads[0].entries[0]["missing"] == nil)
        #expect(reads[0].entries[1]["job"] == [0, 255])
        #expect(reads[0].entries[0].fields.map(\.name) == ["job", "kind"])
    }

    @Test func timedOutBlockingReadIsEmpty() throws {
        #expect(try RedisReply.bulk(nil).streamReads().isEmpty)
    }

    @Test func historyEntryWithoutPayloadIsMarkedDeleted() throws {
        let reply: RedisReply = [["jobs", [["3-0", .bulk(nil)], ["4-0", ["a", "b"]]]]]
        let entries = try reply.streamReads()[0].entries
        #expect(entries[0] == RedisStreamEntry(id: "3-0", fields: [], isDeleted: true))
        #expect(entries[1] == RedisStreamEntry(id: "4-0", fields: [("a", bytes("b"))]))
    }

    @Test func autoClaimRedis7ReplyHasThreeParts() throws {
        let reply: RedisReply = ["0-0", [["5-0", ["job", "7"]]], ["2-0", "3-0"]]
        let result = try reply.autoClaimResult()
        #expect(result.nextCursor == "0-0")
        #expect(result.isScanComplete)
        #expect(result.entries == [RedisStreamEntry(id: "5-0", fields: [("job", bytes("7"))])])
        #expect(result.deletedIDs == ["2-0", "3-0"])
    }

    @Test func autoClaimCursorContinues() throws {
        let result = try RedisReply.array(["9-3", [], []]).autoClaimResult()
        #expect(!result.isScanComplete)
        #expect(result.entries.isEmpty)
        #expect(result.deletedIDs.isEmpty)
    }

    @Test func autoClaimRejectsOtherShapes() {
        #expect(throws: RedisError.self) { try RedisReply.array(["0-0"]).autoClaimResult() }
        #expect(throws: RedisError.self) { try RedisReply.integer(3).autoClaimResult() }
        #expect(throws: RedisError.self) { try RedisReply.array(["0-0", [["5-0"]], []]).autoClaimResult() }
    }

    @Test func pendingSummaryDecodes() throws {
        let reply: RedisReply = [3, "1-0", "3-0", [["alice", "2"], ["bob", "1"]]]
        let summary = try reply.pendingSummary()
        #expect(summary == RedisPendingSummary(
            count: 3, smallestID: "1-0", largestID: "3-0",
            consumers: [.init(name: "alice", pending: 2), .init(name: "bob", pending: 1)]))
    }

    @Test func emptyPendingSummaryHasNilIDs() throws {
        let reply: RedisReply = [0, .bulk(nil), .bulk(nil), .bulk(nil)]
        #expect(try reply.pendingSummary() == RedisPendingSummary(count: 0, smallestID: nil, largestID: nil, consumers: []))
    }

    @Test func pendingEntriesDecode() throws {
        let reply: RedisReply = [["1-0", "alice", 1500, 2], ["2-0", "bob", 3, 1]]
        #expect(try reply.pendingEntries() == [
            RedisPendingEntry(id: "1-0", consumer: "alice", idle: .milliseconds(1500), deliveryCount: 2),
            RedisPendingEntry(id: "2-0", consumer: "bob", idle: .milliseconds(3), deliveryCount: 1),
        ])
        #expect(throws: RedisError.self) { try RedisReply.array([["1-0", "alice", 1]]).pendingEntries() }
    }

    @Test func oddFieldListIsAProtocolError() {
        let reply: RedisReply = ["1-0", ["only-a-name"]]
        do {
            _ = try reply.streamEntry()
            Issue.record("expected a protocol error")
        } catch {
            #expect(error.code == .protocolError)
        }
    }

    @Test func errorReplyInsteadOfEntriesThrowsCommandFailed() {
        do {
            _ = try RedisReply.error("NOGROUP No such key 'jobs' or consumer group 'g'").streamReads()
            Issue.record("expected NOGROUP to throw")
        } catch {
            #expect(error.code == .commandFailed)
            #expect(error.serverCode == "NOGROUP")
        }
    }
}

@Suite struct RedisStreamGroupInfoTests {
    @Test func xinfoGroupsDecodesRedis7Fields() throws {
        let reply: RedisReply = [
            ["name", "feed", "consumers", 2, "pending", 5, "last-delivered-id", "9-0", "entries-read", 9, "lag", 3],
            ["name", "geo", "consumers", 0, "pending", 0, "last-delivered-id", "0-0", "entries-read", .bulk(nil), "lag", .bulk(nil)],
        ]
        #expect(try reply.streamGroupInfos() == [
            RedisStreamGroupInfo(name: "feed", consumers: 2, pending: 5, lastDeliveredID: "9-0", lag: 3),
            RedisStreamGroupInfo(name: "geo", consumers: 0, pending: 0, lastDeliveredID: "0-0", lag: nil),
        ])
        #expect(throws: RedisError.self) { try RedisReply.array([["name", "x"]]).streamGroupInfos() }
    }
}
