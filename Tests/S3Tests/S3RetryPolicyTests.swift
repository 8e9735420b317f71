import AsyncHTTPClient
import NIOCore
import Testing

@testable import S3

@Suite struct S3RetryPolicyTests {
    typealias Outcome = S3RetryPolicy.Outcome

    static let table: [(Outcome, Bool)] = [
        (.response(status: 500, code: "InternalError"), true),
        (.response(status: 502, code: nil), true),
        (.response(status: 503, code: "SlowDown"), true),
        // SeaweedFS throttles with 503 and its own codes: the status alone must decide.
        (.response(status: 503, code: "ErrTooManyRequest"), true),
        (.response(status: 503, code: nil), true),
        (.response(status: 504, code: nil), true),
        (.response(status: 400, code: "RequestTimeout"), true),
        (.response(status: 400, code: "Throttling"), true),
        (.response(status: 400, code: "RequestLimitExceeded"), true),
        (.response(status: 400, code: "PriorRequestNotComplete"), true),
        (.response(status: 429, code: nil), true),
        (.connectionFailed, true),
        (.timedOut, true),
        (.response(status: 400, code: "InvalidArgument"), false),
        (.response(status: 400, code: nil), false),
        (.response(status: 403, code: "SignatureDoesNotMatch"), false),
        (.response(status: 403, code: "AccessDenied"), false),
        (.response(status: 403, code: "InvalidAccessKeyId"), false),
        (.response(status: 403, code: "RequestTimeTooSkewed"), false),
        (.response(status: 404, code: "NoSuchKey"), false),
        (.response(status: 404, code: "NoSuchBucket"), false),
        (.response(status: 409, code: "ConditionalRequestConflict"), false),
        (.response(status: 412, code: "PreconditionFailed"), false),
        (.response(status: 416, code: "InvalidRange"), false),
        (.response(status: 501, code: "NotImplemented"), false),
        (.response(status: 200, code: nil), false),
        (.localFailure, false),
    ]

    @Test(arguments: table)
    func classification(outcome: Outcome, retryable: Bool) {
        #expect(S3RetryPolicy.isRetryable(outcome) == retryable)
    }

    @Test func atMostThreeAttemptsInTotal() {
        let policy = S3RetryPolicy()
        #expect(policy.shouldRetry(after: .timedOut, attempt: 1))
        #expect(policy.shouldRetry(after: .timedOut, attempt: 2))
        #expect(!policy.shouldRetry(after: .timedOut, attempt: 3))
        #expect(!policy.shouldRetry(after: .response(status: 403, code: "AccessDenied"), attempt: 1))
    }

    @Test func fullJitterBackoffDoublesAndIsCapped() {
        let policy = S3RetryPolicy(baseDelay: .milliseconds(100), maxBackoff: .seconds(20))
        #expect(policy.delay(afterAttempt: 1, random: 1) == .milliseconds(100))
        #expect(policy.delay(afterAttempt: 2, random: 1) == .milliseconds(200))
        #expect(policy.delay(afterAttempt: 3, random: 0.5) == .milliseconds(200))
        #expect(policy.delay(afterAttempt: 9, random: 1) == .seconds(20))
        #expect(policy.delay(afterAttempt: 60, random: 1) == .seconds(20))
        #expect(policy.delay(afterAttempt: 2, random: 0) == .zero)
        let aws = S3RetryPolicy(baseDelay: .seconds(1))
        #expect(aws.delay(afterAttempt: 6, random: 1) == .seconds(20))
    }

    static let errors: [(any Error & Sendable, Outcome)] = [
        (HTTPClientError.deadlineExceeded, .timedOut),
        (HTTPClientError.readTimeout, .timedOut),
        (HTTPClientError.connectTimeout, .timedOut),
        (HTTPClientError.getConnectionFromPoolTimeout, .timedOut),
        (HTTPClientError.remoteConnectionClosed, .connectionFailed),
        (ChannelError.connectTimeout(.seconds(1)), .timedOut),
        (ChannelError.eof, .connectionFailed),
        (IOError(errnoCode: 111, reason: "connect"), .connectionFailed),
        (S3Client.AttemptTimedOut(), .timedOut),
        (HTTPClientError.invalidURL, .localFailure),
        (NIOTooManyBytesError(maxBytes: 10), .localFailure),
    ]

    @Test(arguments: errors)
    func transportErrorClassification(error: any Error & Sendable, expected: Outcome) {
        #expect(S3Client.outcome(for: error) == expected)
    }
}
