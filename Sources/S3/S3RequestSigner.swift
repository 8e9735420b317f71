import Crypto
import Foundation

/// AWS Signature Version 4 for S3, header auth and query auth (presigned URLs). Pure: the time is
/// an argument, nothing is cached, nothing is logged.
public struct S3RequestSigner: Sendable {
    public static let algorithm = "AWS4-HMAC-SHA256"
    /// The hex SHA-256 of an empty body.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"
    /// S3's limit on `X-Amz-Expires`: 7 days.
    public static let maxPresignedExpiry = 604_800

    public var accessKey: String
    private var secretKey: String
    public var region: String
    public var service: String

    public init(credentials: S3Configuration.Credentials, region: String, service: String = "s3") {
        self.accessKey = credentials.accessKey
        self.secretKey = credentials.secretKey
        self.region = region
        self.service = service
    }

    /// What signing produced; the intermediate strings are kept for tests and debugging.
    public struct Signature: Sendable {
        /// Headers to add to the request: `x-amz-date`, `x-amz-content-sha256`, `authorization`.
        public var headers: [(name: String, value: String)]
        public var signature: String
        public var signedHeaders: String
        public var canonicalRequest: String
        public var stringToSign: String
    }

    /// Signs a request in the `Authorization` header.
    ///
    /// - Parameters:
    ///   - encodedPath: the canonical URI, already encoded with `encodePath` (sent as-is on the wire).
    ///   - query: raw (unencoded) query parameters; encoded and sorted here.
    ///   - headers: every header to cover, including `host`; `x-amz-date` and
    ///     `x-amz-content-sha256` are added here.
    ///   - payloadHash: hex SHA-256 of the body (`payloadHash(of:)`) or `unsignedPayload`.
    public func sign(
        method: String,
        encodedPath: String,
        query: [(name: String, value: String)] = [],
        headers: [(name: String, value: String)],
        payloadHash: String,
        date: Date
    ) -> Signature {
        let (dateTime, day) = S3Date.amzTimestamp(date)
        var all = headers.map { (name: $0.name.lowercased(), value: $0.value) }
        all.append((name: "x-amz-date", value: dateTime))
        all.append((name: "x-amz-content-sha256", value: payloadHash))
        let canonical = Self.canonicalHeaders(all)
        let canonicalRequest = [
            method, encodedPath, Self.canonicalQuery(query), canonical.block, canonical.signedHeaders, payloadHash,
        ].joined(separator: "\n")
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = Self.stringToSign(dateTime: dateTime, scope: scope, canonicalRequest: canonicalRequest)
        let signature = signature(stringToSign: stringToSign, day: day)
        let authorization =
            "\(Self.algorithm) Credential=\(accessKey)/\(scope),SignedHeaders=\(canonical.signedHeaders),Signature=\(signature)"
        return Signature(
            headers: [
                (name: "x-amz-date", value: dateTime),
                (name: "x-amz-content-sha256", value: payloadHash),
                (name: "authorization", value: authorization),
            ],
            signature: signature,
            signedHeaders: canonical.signedHeaders,
            canonicalRequest: canonicalRequest,
            stringToSign: stringToSign
        )
    }

    /// The query string (without `?`) of a presigned URL: `query` plus the `X-Amz-*` parameters,
    /// signing only `host` and an unsigned payload. `expires` must be 1...604800 seconds.
    public func presignedQuery(
        method: String,
        host: String,
        encodedPath: String,
        query: [(name: String, value: String)] = [],
        expires: Int,
        date: Date
    ) throws(S3Error) -> String {
        guard (1...Self.maxPresignedExpiry).contains(expires) else {
            throw S3Error(.invalidArgument, "presigned URL expiry \(expires) s is outside 1...\(Self.maxPresignedExpiry)")
        }
        let (dateTime, day) = S3Date.amzTimestamp(date)
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        var parameters = query
        parameters += [
            (name: "X-Amz-Algorithm", value: Self.algorithm),
            (name: "X-Amz-Credential", value: "\(accessKey)/\(scope)"),
            (name: "X-Amz-Date", value: dateTime),
            (name: "X-Amz-Expires", value: String(expires)),
            (name: "X-Amz-SignedHeaders", value: "host"),
        ]
        let canonicalQuery = Self.canonicalQuery(parameters)
        let canonicalRequest = [
            method, encodedPath, canonicalQuery, "host:\(host)\n", "host", Self.unsignedPayload,
        ].joined(separator: "\n")
        let stringToSign = Self.stringToSign(dateTime: dateTime, scope: scope, canonicalRequest: canonicalRequest)
        return canonicalQuery + "&X-Amz-Signature=" + signature(stringToSign: stringToSign, day: day)
    }

    // MARK: - The pieces, pure and static

    /// Hex SHA-256 of a body, for `x-amz-content-sha256`.
    public static func payloadHash(of bytes: some Collection<UInt8>) -> String {
        hex(SHA256.hash(data: Array(bytes)))
    }

    /// Encodes a key for the URI path: each segment once, unreserved `A-Za-z0-9-._~` kept, `/` kept.
    public static func encodePath(_ path: String) -> String {
        uriEncode(path, encodeSlash: false)
    }

    /// RFC 3986 percent-encoding as SigV4 wants it: UTF-8 bytes, uppercase hex, space as `%20`.
    public static func uriEncode(_ text: String, encodeSlash: Bool = true) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if unreserved[Int(byte)] || (byte == slash && !encodeSlash) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out.append("%")
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0F)])
            }
        }
        return out
    }

    /// Names and values encoded, sorted by encoded name then value, `name=` for empty values.
    public static func canonicalQuery(_ query: [(name: String, value: String)]) -> String {
        let encoded: [(name: String, value: String)] = query.map { (uriEncode($0.name), uriEncode($0.value)) }
        let sorted = encoded.sorted { (a, b) -> Bool in a.name == b.name ? a.value < b.value : a.name < b.name }
        return sorted.map { pair -> String in pair.name + "=" + pair.value }.joined(separator: "&")
    }

    /// Lowercased, trimmed, inner runs of spaces collapsed, sorted; duplicates joined with `,`.
    static func canonicalHeaders(_ headers: [(name: String, value: String)]) -> (block: String, signedHeaders: String) {
        var merged: [String: [String]] = [:]
        for header in headers {
            merged[header.name.lowercased(), default: []].append(collapseSpaces(header.value))
        }
        let names = merged.keys.sorted()
        let block = names.map { "\($0):\(merged[$0]!.joined(separator: ","))\n" }.joined()
        return (block, names.joined(separator: ";"))
    }

    private static func collapseSpaces(_ value: String) -> String {
        value.trimmingASCIIWhitespace().split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }

    private static func stringToSign(dateTime: String, scope: String, canonicalRequest: String) -> String {
        [algorithm, dateTime, scope, hex(SHA256.hash(data: Array(canonicalRequest.utf8)))].joined(separator: "\n")
    }

    private func signature(stringToSign: String, day: String) -> String {
        func hmac(_ key: SymmetricKey, _ text: String) -> SymmetricKey {
            SymmetricKey(data: HMAC<SHA256>.authenticationCode(for: Array(text.utf8), using: key))
        }
        let kDate = hmac(SymmetricKey(data: Array("AWS4\(secretKey)".utf8)), day)
        let kSigning = hmac(hmac(hmac(kDate, region), service), "aws4_request")
        return Self.hex(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: kSigning))
    }

    private static let hexDigits: [Character] = Array("0123456789ABCDEF")
    private static let slash = UInt8(ascii: "/")
    /// `A-Za-z0-9-._~`, indexed by byte.
    private static let unreserved: [Bool] = {
        var table = [Bool](repeating: false, count: 256)
        for byte in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8 { table[Int(byte)] = true }
        return table
    }()
    private static let lowerHexDigits: [Character] = Array("0123456789abcdef")

    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        var out = ""
        for byte in bytes {
            out.append(lowerHexDigits[Int(byte >> 4)])
            out.append(lowerHexDigits[Int(byte & 0x0F)])
        }
        return out
    }
}
