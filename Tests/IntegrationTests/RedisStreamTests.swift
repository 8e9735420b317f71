import RedisClient
import Storage
import Testing

@Suite(.timeLimit(.minutes(1)))
struct RedisStreamTests {
    private func job(_ number: Int) -> [(String, [UInt8])] {
        [("job", Array("\(number)".utf8)), ("payload", [0, 1, 2, UInt8(number)])]
    }

    @Test func consumerGroupRoundTrip() async throws {
        try await RedisTestContext.with { redis in
            let client = redis.client
            let stream = redis.key("jobs")
            #expect(try await client.xgroupCreate(stream, group: "workers"))
            #expect(try await !client.xgroupCreate(stream, group: "workers"), "a second create answers BUSYGROUP, reported as false")

            var ids: [String] = []
            for number in 1...3 { ids.append(try await client.xadd(stream, fields: job(number))) }
            #expect(try await client.xlen(stream) == 3)

            let entries = try await client.xreadgroup(group: "workers", consumer: "w1", stream: stream, count: 10, block: .milliseconds(100))
            #expect(entries.map(\.id) == ids)
            #expect(entries.map { $0.string("job") } == ["1", "2", "3"])
            #expect(entries[2]["payload"] == [0, 1, 2, 3])

            let pending = try await client.xpendingSummary(stream, group: "workers")
            #expect(pending.count == 3)
            #expect(pending.smallestID == ids[0])
            #expect(pending.consumers == [.init(name: "w1", pending: 3)])

            #expect(try await client.xack(stream, group: "workers", ids: ids) == 3)
            let after = try await client.xpendingSummary(stream, group: "workers")
            #expect(after.count == 0)
            #expect(after.smallestID == nil)
            #expect(try await client.xpending(stream, group: "workers", count: 10).isEmpty)

            let nothing = try await client.xreadgroup(group: "workers", consumer: "w1", stream: stream, count: 10, block: .milliseconds(50))
            #expect(nothing.isEmpty)
        }
    }

    @Test func unackedEntryIsAutoClaimedByAnotherConsumer() async throws {
        try await RedisTestContext.with { redis in
            let client = redis.client
            let stream = redis.key("claims")
            try await client.xgroupCreate(stream, group: "g")
            let id = try await client.xadd(stream, fields: job(7))
            let delivered = try await client.xreadgroup(group: "g", consumer: "dead-worker", stream: stream, count: 1)
            #expect(delivered.map(\.id) == [id])

            // Idle time is measured in ms by the server; wait past min-idle.
            try await Task.sleep(for: .milliseconds(30))
            let claim = try await client.xautoclaim(stream, group: "g", consumer: "rescuer", minIdle: .milliseconds(10), count: 10)
            #expect(claim.entries.map(\.id) == [id])
            #expect(claim.entries.first?.string("job") == "7")
            #expect(claim.deletedIDs.isEmpty)
            #expect(claim.isScanComplete)

            let rows = try await client.xpending(stream, group: "g", count: 10)
            #expect(rows.count == 1)
            #expect(rows.first?.consumer == "rescuer")
            #expect(rows.first?.deliveryCount == 2)

            // The new owner sees it in its own history; the old owner no longer does.
            #expect(try await client.xreadgroup(group: "g", consumer: "rescuer", stream: stream, position: .pending).map(\.id) == [id])
            #expect(try await client.xreadgroup(group: "g", consumer: "dead-worker", stream: stream, position: .pending).isEmpty)
            #expect(try await client.xack(stream, group: "g", ids: [id]) == 1)
        }
    }

    @Test func deletedPendingEntriesSurfaceAsDeleted() async throws {
        try await RedisTestContext.with { redis in
            let client = redis.client
            let stream = redis.key("trimmed")
            try await client.xgroupCreate(stream, group: "g")
            let first = try await client.xadd(stream, fields: job(1))
            let second = try await client.xadd(stream, fields: job(2))
            _ = try await client.xreadgroup(group: "g", consumer: "c", stream: stream, count: 10)
            #expect(try await client.xdel(stream, ids: [first]) == 1)

            let history = try await client.xreadgroup(group: "g", consumer: "c", stream: stream, position: .pending)
            #expect(history.map(\.id) == [first, second])
            #expect(history.map(\.isDeleted) == [true, false])

            let claim = try await client.xautoclaim(stream, group: "g", consumer: "other", minIdle: .zero)
            #expect(claim.deletedIDs == [first])
            #expect(claim.entries.map(\.id) == [second])
        }
    }

    @Test func xaddTrimsWithMinID() async throws {
        try await RedisTestContext.with { redis in
            let client = redis.client
            let stream = redis.key("minid")
            var ids: [String] = []
            for number in 1...4 { ids.append(try await client.xadd(stream, fields: job(number))) }
            // Exact trimming (no ~) so the effect is visible on a tiny stream.
            let newest = try await client.xadd(stream, fields: job(5), trimMinID: ids[2], approximateTrim: false)
            #expect(try await client.xrange(stream).map(\.id) == [ids[2], ids[3], newest])
        }
    }

    @Test func readingAMissingGroupFailsWithCommandFailed() async throws {
        try await RedisTestContext.with { redis in
            do {
                _ = try await redis.client.xreadgroup(group: "nope", consumer: "c", stream: redis.key("none"), count: 1)
                Issue.record("expected NOGROUP")
            } catch let error as RedisError {
                #expect(error.code == .commandFailed)
                #expect(error.serverCode == "NOGROUP")
            }
        }
    }

    @Test func blockZeroIsRefused() async throws {
        try await RedisTestContext.with { redis in
            do {
                _ = try await redis.client.xreadgroup(group: "g", consumer: "c", stream: redis.key("s"), block: .zero)
                Issue.record("BLOCK 0 must be refused")
            } catch let error as RedisError {
                #expect(error.code == .invalidArgument)
            }
        }
    }
}
