/// Where and how to reach an S3-compatible store. Path-style addressing only
/// (`http://host:port/bucket/key`), which SeaweedFS and MinIO serve without DNS setup.
public struct S3Configuration: Sendable {
    public struct Credentials: Sendable, CustomStringConvertible {
        public var accessKey: String
        public var secretKey: String

        public init(accessKey: String, secretKey: String) {
            self.accessKey = accessKey
            self.secretKey = secretKey
        }

        /// Never prints the secret, so a configuration can be logged.
        public var description: String { "Credentials(accessKey: \(accessKey), secretKey: <redacted>)" }
    }

    /// Scheme, host and optional port, e.g. `http://127.0.0.1:8433`. No default.
    public var endpoint: String
    /// Signing region. Default `us-east-1`.
    public var region: String
    /// Bucket name. No default.
    public var bucket: String
    public var credentials: Credentials
    /// Budget for one store operation including its retries. Default 10 s.
    public var requestTimeout: Duration
    /// Budget for one HTTP attempt within an operation (capped by what is left of `requestTimeout`).
    /// Default 5 s, so a hung first attempt still leaves time for a retry.
    public var attemptTimeout: Duration
    /// Attempts and backoff. Default: AWS standard mode with a 100 ms base.
    public var retryPolicy: S3RetryPolicy
    /// Largest response body read into memory (GET of a photo). Default 64 MiB.
    public var maxResponseBytes: Int

    public init(
        endpoint: String,
        region: String = "us-east-1",
        bucket: String,
        credentials: Credentials,
        requestTimeout: Duration = .seconds(10),
        attemptTimeout: Duration = .seconds(5),
        retryPolicy: S3RetryPolicy = S3RetryPolicy(),
        maxResponseBytes: Int = 64 * 1024 * 1024
    ) {
        self.endpoint = endpoint
        self.region = region
        self.bucket = bucket
        self.credentials = credentials
        self.requestTimeout = requestTimeout
        self.attemptTimeout = attemptTimeout
        self.retryPolicy = retryPolicy
        self.maxResponseBytes = maxResponseBytes
    }
}
