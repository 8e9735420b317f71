import Foundation
import Storage
import Testing
import RedisClient

@Suite struct RetryPolicyTests {
    @Test func delaysDoubleFromTheBaseAndStopAtTheCap() {
        let policy = RetryPolicy(maxDeliveries: 10, baseDelay: .milliseconds(100), maximumDelay: .milliseconds(1000))
        #expect((1...7).map { policy.delay(afterDelivery: $0) } == [100, 200, 400, 800, 1000, 1000, 1000].map { Duration.milliseconds($0) })
    }

    @Test func hugeDeliveryCountsDoNotOverflow() {
        let policy = RetryPolicy(maxDeliveries: 5, baseDelay: .seconds(1), maximumDelay: .seconds(3600))
        #expect(policy.delay(afterDelivery: 10_000) == .seconds(3600))
        #expect(policy.delay(afterDelivery: 0) == .seconds(1))
    }

    @Test func exhaustedAtTheMaximumDelivery() {
        let policy = RetryPolicy(maxDeliveries: 3)
        #expect(!policy.isExhausted(afterDelivery: 2))
        #expect(policy.isExhausted(afterDelivery: 3))
        #expect(RetryPolicy(maxDeliveries: 0).maxDeliveries == 1, "at least one delivery")
    }
}

@Suite struct TrimPointTests {
    func id(_ text: String) -> StreamEntryID { StreamEntryID(text)! }

    @Test func entryIDsParseCompareAndStep() {
        #expect(id("5-2") < id("5-10"))
        #expect(id("4-99") < id("5-0"))
        #expect(id("7") == id("7-0"))
        #expect(id("5-2").successor == id("5-3"))
        #expect(StreamEntryID(milliseconds: 5, sequence: .max).successor == id("6-0"))
        #expect(StreamEntryID("x-1") == nil)
        #expect(StreamEntryID("1-2-3") == nil)
        #expect(id("1700000000000-3").description == "1700000000000-3")
    }

    @Test func noGroupMeansNoTrim() {
        #expect(TrimPoint.threshold(groups: []) == nil)
    }

    @Test func keepsTheOldestPendingEntry() {
        let threshold = TrimPoint.threshold(groups: [.init(lastDeliveredID: id("100-0"), oldestPendingID: id("40-1"))])
        #expect(threshold == id("40-1"), "MINID keeps entries >= threshold, so the oldest pending entry itself stays")
    }

    @Test func withNothingPendingKeepsWhatIsNotYetDelivered() {
        #expect(TrimPoint.threshold(groups: [.init(lastDeliveredID: id("100-0"), oldestPendingID: nil)]) == id("100-1"))
        #expect(TrimPoint.threshold(groups: [.init(lastDeliveredID: id("0-0"), oldestPendingID: nil)]) == id("0-1"), "a new group: trim nothing")
    }

    @Test func theSlowestGroupWins() {
        let threshold = TrimPoint.threshold(groups: [
            .init(lastDeliveredID: id("100-0"), oldestPendingID: id("90-0")),
            .init(lastDeliveredID: id("30-0"), oldestPendingID: nil),
            .init(lastDeliveredID: id("100-0"), oldestPendingID: id("50-0")),
        ])
        #expect(threshold == id("30-1"))
    }
}

@Suite struct DeadLetterEncodingTests {
    let job = RedisStreamEntry(id: "1700000000000-4", fields: [
        ("outbox_id", Array("42".utf8)), ("shard", Array("3".utf8)), ("topic", Array("feed".utf8)), ("payload", Array("{\"a\":1}".utf8)),
    ])

    @Test func roundTripsThroughStreamFields() throws {
        let failedAt = Date(timeIntervalSince1970: 1_700_000_123.456)
        let letter = DeadLetter(originalID: job.id, reason: "exhausted: boom", deliveryCount: 5, failedAt: failedAt, jobFields: job.fields)
        let entry = RedisStreamEntry(id: "9-9", fields: letter.fields)
        let decoded = try DeadLetter(entry: entry)
        #expect(decoded.id == "9-9")
        #expect(decoded.originalID == "1700000000000-4")
        #expect(decoded.reason == "exhausted: boom")
        #expect(decoded.deliveryCount == 5)
        #expect(abs(decoded.failedAt.timeIntervalSince(failedAt)) < 0.001)
        #expect(decoded.jobFields == job.fields, "the job's fields come back unchanged, in order, for a retry")
        #expect(decoded.outboxID == 42)
    }

    @Test func deadLetteringTwiceDoesNotStackFields() throws {
        let first = DeadLetter(originalID: "1-1", reason: "exhausted: a", deliveryCount: 5, failedAt: Date(), jobFields: job.fields)
        let again = DeadLetter(originalID: "2-2", reason: "exhausted: b", deliveryCount: 5, failedAt: Date(), jobFields: RedisStreamEntry(id: "x", fields: first.fields).fields)
        let decoded = try DeadLetter(entry: RedisStreamEntry(id: "3-3", fields: again.fields))
        #expect(decoded.originalID == "2-2")
        #expect(decoded.jobFields == job.fields)
        #expect(again.fields.filter { $0.0 == "dlq_reason" }.count == 1)
    }

    @Test func reasonsAreFlatAndBounded() {
        let reason = DeadLetter.reason(DeadLetter.Reason.exhausted, detail: "line1\nline2" + String(repeating: "x", count: 2000))
        #expect(reason.hasPrefix("exhausted: line1 line2"))
        #expect(!reason.contains("\n"))
        #expect(reason.count <= 520)
    }

    @Test func anEntryWithoutDeadLetterFieldsIsRejected() {
        #expect(throws: StorageError.self) { try DeadLetter(entry: job) }
    }
}

@Suite struct QueuedJobTests {
    @Test func readsTheOutboxFields() throws {
        let fields = QueuedJob.fields(outboxID: 7, shard: 2, topic: .cleanup, payload: "{}")
        let job = try QueuedJob(entry: RedisStreamEntry(id: "1-0", fields: fields), deliveryCount: 3)
        #expect(job == QueuedJob(entryID: "1-0", outboxID: 7, shard: 2, topic: .cleanup, payload: "{}", deliveryCount: 3))
    }

    @Test func nameTheMissingField() {
        do {
            _ = try QueuedJob(entry: RedisStreamEntry(id: "1-0", fields: [("outbox_id", Array("x".utf8))]), deliveryCount: 1)
            Issue.record("an entry without a numeric outbox_id must not decode")
        } catch {
            #expect(error.code == .invalidArgument)
            #expect(error.message.contains("outbox_id"))
        }
    }
}
