import AsyncHTTPClient
import Crypto
import Foundation
import Logging
import Metrics
import NIOCore
import ServiceLifecycle
import Synchronization

/// An S3 client for an S3-compatible server (AWS S3, SeaweedFS, MinIO) over async-http-client,
/// signed with SigV4, path-style, retried as the AWS SDK's standard mode.
///
/// The HTTP client is either borrowed (`init(configuration:httpClient:...)`: the caller shuts it
/// down, the store never does) or owned (`init(configuration:logger:...)`: call `shutdown()` or run
/// the store as a `Service`, which shuts the client down on graceful shutdown).
public final class S3Client: Service {
    /// What one HTTP attempt did; handed to the `onAttempt` hook (tests count attempts with it).
    public struct Attempt: Sendable {
        public var operation: String
        /// 1-based.
        public var number: Int
        public var outcome: S3RetryPolicy.Outcome?
        /// Nil for an attempt that succeeded.
        public var willRetry: Bool
    }

    public let configuration: S3Configuration
    private let endpoint: Endpoint
    private let signer: S3RequestSigner
    private let transport: any S3Transport
    private let ownedClient: HTTPClient?
    private let isShutDown = Mutex(false)
    private let logger: Logger
    private let onAttempt: (@Sendable (Attempt) -> Void)?
    private let now: @Sendable () -> Date
    private let random: @Sendable () -> Double
    private let sleep: @Sendable (Duration) async throws -> Void

    /// Uses `httpClient`, which stays the caller's to shut down. Give it
    /// `S3Client.recommendedHTTPClientConfiguration` (or equivalent) so a refused connection
    /// fails the attempt at once instead of waiting for the deadline.
    public convenience init(
        configuration: S3Configuration,
        httpClient: HTTPClient,
        logger: Logger,
        onAttempt: (@Sendable (Attempt) -> Void)? = nil
    ) throws(S3Error) {
        try self.init(
            configuration: configuration, transport: AsyncHTTPClientTransport(client: httpClient), ownedClient: nil,
            logger: logger, onAttempt: onAttempt)
    }

    /// Creates and owns an HTTP client with `recommendedHTTPClientConfiguration`; call `shutdown()`.
    public convenience init(
        configuration: S3Configuration,
        logger: Logger,
        onAttempt: (@Sendable (Attempt) -> Void)? = nil
    ) throws(S3Error) {
        let client = HTTPClient(
            eventLoopGroup: HTTPClient.defaultEventLoopGroup,
            configuration: Self.recommendedHTTPClientConfiguration,
            backgroundActivityLogger: logger)
        do {
            try self.init(
                configuration: configuration, transport: AsyncHTTPClientTransport(client: client), ownedClient: client,
                logger: logger, onAttempt: onAttempt)
        } catch {
            // The client was never handed out: shut it down here so it does not leak a pool.
            do {
                try client.syncShutdown()
            } catch let shutdownError {
                logger.error("could not shut down the unused HTTP client", metadata: ["error": "\(shutdownError)"])
            }
            throw error
        }
    }

    init(
        configuration: S3Configuration,
        transport: any S3Transport,
        ownedClient: HTTPClient?,
        logger: Logger,
        onAttempt: (@Sendable (Attempt) -> Void)?,
        now: @escaping @Sendable () -> Date = { Date() },
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) throws(S3Error) {
        self.configuration = configuration
        self.endpoint = try Endpoint(configuration.endpoint)
        guard Self.isValidBucketName(configuration.bucket) else {
            throw S3Error(.invalidArgument, "invalid bucket name \(configuration.bucket)")
        }
        self.signer = S3RequestSigner(credentials: configuration.credentials, region: configuration.region)
        self.transport = transport
        self.ownedClient = ownedClient
        var logger = logger
        logger[metadataKey: "s3.bucket"] = "\(configuration.bucket)"
        self.logger = logger
        self.onAttempt = onAttempt
        self.now = now
        self.random = random
        self.sleep = sleep
    }

    /// No redirects (S3 never needs them and they would bypass signing), a short connect timeout,
    /// and no connection-establishment retries inside the pool: those would hold a request until
    /// its deadline when the server is down, while our own retry policy decides instead.
    public static var recommendedHTTPClientConfiguration: HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(2), read: .seconds(10)),
            decompression: .disabled)
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.httpVersion = .http1Only
        return configuration
    }

    /// Shuts down the HTTP client if the store created it; a borrowed client is left alone.
    /// Calling it again (say `run()` ended and the owner also calls it) does nothing.
    public func shutdown() async throws {
        guard let ownedClient, isShutDown.withLock({ done in defer { done = true }; return !done }) else { return }
        try await ownedClient.shutdown()
    }

    /// Waits for graceful shutdown (or cancellation), then releases an owned HTTP client.
    public func run() async throws {
        // Cancellation and graceful shutdown both mean "release the client now"; the
        // CancellationError carries nothing else worth propagating.
        try? await gracefulShutdown()
        try await shutdown()
    }

    // MARK: - Operations

    @discardableResult
    /// `sha256` and `md5`, when the caller already has the body's digests, spare hashing it again here (on the
    /// caller's task: a large body should come with them, computed off the cooperative pool).
    public func put(
        _ body: ByteBuffer, at key: ObjectKey, contentType: String, createOnly: Bool, sha256: [UInt8]? = nil, md5: [UInt8]? = nil
    ) async throws -> String {
        // SeaweedFS (4.48) does not compare x-amz-content-sha256 with the body, but it does check
        // Content-MD5 (400 BadDigest), so the MD5 is what actually guards the bytes in transit.
        let md5 = md5.map { Data($0).base64EncodedString() }
            ?? body.withUnsafeReadableBytes { Data(Insecure.MD5.hash(data: $0)).base64EncodedString() }
        var headers = [(name: "content-md5", value: md5), (name: "content-type", value: contentType)]
        if createOnly { headers.append((name: "if-none-match", value: "*")) }
        let payloadHash = sha256.map { S3RequestSigner.hex($0) } ?? body.withUnsafeReadableBytes { S3RequestSigner.hex(SHA256.hash(data: $0)) }
        let response = try await perform(
            "put", key: key, method: "PUT", path: objectPath(key), headers: headers, body: body,
            payloadHash: payloadHash, accept: { status, _ in status == 200 })
        return response.header("etag").map(unquoteETag) ?? ""
    }

    public func get(_ key: ObjectKey, range: ObjectRange?) async throws -> StoredObject {
        var headers: [(name: String, value: String)] = []
        if let range {
            try range.validate()
            headers.append((name: "range", value: range.headerValue))
        }
        let response = try await perform(
            "get", key: key, method: "GET", path: objectPath(key), headers: headers,
            accept: { status, _ in status == 200 || status == 206 })
        return try Self.storedObject(from: response, requestedRange: range, key: key)
    }

    public func head(_ key: ObjectKey) async throws -> ObjectMetadata {
        let response = try await perform(
            "head", key: key, method: "HEAD", path: objectPath(key), accept: { status, _ in status == 200 })
        guard let size = response.header("content-length").flatMap({ Int($0.trimmingASCIIWhitespace()) }) else {
            throw S3Error(.protocolError, "HEAD \(key) answered without a Content-Length", httpStatus: response.status)
        }
        return ObjectMetadata(
            size: size,
            etag: response.header("etag").map(unquoteETag) ?? "",
            contentType: response.header("content-type"),
            lastModified: response.header("last-modified").flatMap(HTTPDate.parse))
    }

    public func delete(_ key: ObjectKey) async throws {
        // S3 answers 204 for an absent key; some gateways answer 404 NoSuchKey. Both mean "gone".
        // A missing bucket is still an error.
        try await perform(
            "delete", key: key, method: "DELETE", path: objectPath(key),
            accept: { status, code in status == 200 || status == 204 || (status == 404 && code != "NoSuchBucket") })
    }

    public func list(prefix: String, continuationToken: String?, limit: Int) async throws -> ObjectListing {
        guard (1...1000).contains(limit) else {
            throw S3Error(.invalidArgument, "list limit \(limit) is outside 1...1000")
        }
        var query = [(name: "list-type", value: "2"), (name: "prefix", value: prefix), (name: "max-keys", value: String(limit))]
        if let continuationToken { query.append((name: "continuation-token", value: continuationToken)) }
        let response = try await perform(
            "list", key: nil, method: "GET", path: bucketPath, query: query, accept: { status, _ in status == 200 })
        return try S3ListResult.parse(String(buffer: response.body))
    }

    public func presignedGetURL(for key: ObjectKey, expiresIn: Duration) throws -> String {
        let seconds = expiresIn.components.seconds + (expiresIn.components.attoseconds > 0 ? 1 : 0)
        let path = objectPath(key)
        let query = try signer.presignedQuery(
            method: "GET", host: endpoint.hostHeader, encodedPath: path, expires: Int(seconds), date: now())
        return endpoint.base + path + "?" + query
    }

    public func createBucketIfMissing() async throws {
        try await perform(
            "create-bucket", key: nil, method: "PUT", path: bucketPath, body: ByteBuffer(),
            accept: { status, code in
                status == 200 || (status == 409 && (code == "BucketAlreadyOwnedByYou" || code == "BucketAlreadyExists"))
            })
    }

    public func checkHealth() async throws {
        try await perform("check", key: nil, method: "HEAD", path: bucketPath, accept: { status, _ in status == 200 })
    }

    // MARK: - Requests

    private var bucketPath: String { "/" + S3RequestSigner.uriEncode(configuration.bucket) }

    private func objectPath(_ key: ObjectKey) -> String {
        bucketPath + "/" + S3RequestSigner.encodePath(key.rawValue)
    }

    /// Signs and sends one operation, retrying per the policy, until `accept` takes an answer or
    /// the attempts or the time run out. `accept` sees the status and the S3 error code, if any.
    @discardableResult
    private func perform(
        _ operation: String,
        key: ObjectKey?,
        method: String,
        path: String,
        query: [(name: String, value: String)] = [],
        headers: [(name: String, value: String)] = [],
        body: ByteBuffer? = nil,
        payloadHash: String = S3RequestSigner.emptyPayloadHash,
        accept: (Int, String?) -> Bool
    ) async throws -> S3HTTPResponse {
        var logger = self.logger
        logger[metadataKey: "s3.operation"] = "\(operation)"
        if let key { logger[metadataKey: "s3.key"] = "\(key)" }
        let canonicalQuery = S3RequestSigner.canonicalQuery(query)
        let url = endpoint.base + path + (canonicalQuery.isEmpty ? "" : "?" + canonicalQuery)
        let clock = ContinuousClock()
        let started = clock.now
        let operationDeadline = started + configuration.requestTimeout
        let policy = configuration.retryPolicy
        var attempt = 0
        while true {
            attempt += 1
            let signature = signer.sign(
                method: method, encodedPath: path, query: query,
                headers: [(name: "host", value: endpoint.hostHeader)] + headers,
                payloadHash: payloadHash, date: now())
            let request = S3HTTPRequest(
                method: method, url: url,
                headers: [(name: "host", value: endpoint.hostHeader)] + headers + signature.headers, body: body)
            let attemptDeadline = min(operationDeadline, clock.now + configuration.attemptTimeout)

            let outcome: S3RetryPolicy.Outcome
            let failure: S3Error
            do {
                let response = try await execute(request, until: attemptDeadline, clock: clock)
                let errorBody = response.status >= 300 ? S3ErrorResponse(xml: String(buffer: response.body)) : nil
                if accept(response.status, errorBody?.code) {
                    record(operation, attempt: attempt, outcome: nil, willRetry: false, started: started, clock: clock)
                    return response
                }
                outcome = .response(status: response.status, code: errorBody?.code)
                failure = S3ErrorResponse.clientError(
                    status: response.status, response: errorBody, operation: operation, key: key?.rawValue)
            } catch {
                if Task.isCancelled || error is CancellationError { throw CancellationError() }
                outcome = Self.outcome(for: error)
                failure = Self.clientError(for: error, outcome: outcome, operation: operation, key: key)
            }

            let delay = policy.delay(afterAttempt: attempt, random: random())
            // A retry that could not even start before the deadline would only turn the real
            // cause into a timeout, so give up with the real cause instead.
            let willRetry = policy.shouldRetry(after: outcome, attempt: attempt) && clock.now + delay < operationDeadline
            record(operation, attempt: attempt, outcome: outcome, willRetry: willRetry, started: started, clock: clock)
            logger.log(
                level: willRetry ? .info : .debug,
                "S3 attempt failed",
                metadata: [
                    "s3.attempt": "\(attempt)", "s3.outcome": "\(outcome)", "s3.retry": "\(willRetry)",
                    "error.code": "\(failure.code)",
                ])
            guard willRetry else { throw failure }
            try await sleep(delay)
        }
    }

    /// One attempt, bounded by `deadline` even while the body streams (async-http-client's own
    /// deadline stops at the response head).
    private func execute(
        _ request: S3HTTPRequest, until deadline: ContinuousClock.Instant, clock: ContinuousClock
    ) async throws -> S3HTTPResponse {
        let remaining = clock.now.duration(to: deadline)
        let nioDeadline = NIODeadline.now() + .nanoseconds(Int64(remaining.nanosecondsClamped))
        let transport = self.transport
        let maxBytes = configuration.maxResponseBytes
        let logger = self.logger
        return try await withThrowingTaskGroup(of: S3HTTPResponse?.self) { group in
            group.addTask {
                try await transport.execute(request, deadline: nioDeadline, maxResponseBytes: maxBytes, logger: logger)
            }
            group.addTask {
                try await Task.sleep(until: deadline, clock: clock)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let response = first else {
                throw AttemptTimedOut()
            }
            return response
        }
    }

    private func record(
        _ operation: String, attempt: Int, outcome: S3RetryPolicy.Outcome?, willRetry: Bool,
        started: ContinuousClock.Instant, clock: ContinuousClock
    ) {
        onAttempt?(Attempt(operation: operation, number: attempt, outcome: outcome, willRetry: willRetry))
        let result = outcome == nil ? "ok" : willRetry ? "retry" : "error"
        Counter(label: "darkroom_s3_attempts_total", dimensions: [("operation", operation), ("outcome", result)])
            .increment()
        if outcome == nil || !willRetry {
            Timer(label: "darkroom_s3_operation_duration", dimensions: [("operation", operation), ("outcome", result)])
                .recordNanoseconds(started.duration(to: clock.now).nanosecondsClamped)
        }
    }
}

extension Duration {
    var nanosecondsClamped: Int64 {
        let (seconds, attoseconds) = components
        if seconds <= 0 && attoseconds <= 0 { return 0 }
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : product + attoseconds / 1_000_000_000
    }
}
