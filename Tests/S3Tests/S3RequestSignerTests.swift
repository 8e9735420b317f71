import Foundation
import Testing

@testable import S3

/// The published AWS examples (sig-v4-header-based-auth, sigv4-query-string-auth), reproduced by
/// many independent implementations (botocore aws4_testsuite, aws.signature, ...).
@Suite struct S3RequestSignerTests {
    static let credentials = S3Configuration.Credentials(
        accessKey: "AKIAIOSFODNN7EXAMPLE", secretKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    static let signer = S3RequestSigner(credentials: credentials, region: "us-east-1")
    static let date = Date(timeIntervalSince1970: 1_369_353_600)  // 2013-05-24T00:00:00Z
    static let host = "examplebucket.s3.amazonaws.com"

    @Test func getObjectWithRangeVector() {
        let signed = Self.signer.sign(
            method: "GET", encodedPath: "/test.txt",
            headers: [(name: "Host", value: Self.host), (name: "Range", value: "bytes=0-9")],
            payloadHash: S3RequestSigner.emptyPayloadHash, date: Self.date)
        #expect(signed.signedHeaders == "host;range;x-amz-content-sha256;x-amz-date")
        #expect(
            signed.canonicalRequest == """
                GET
                /test.txt

                host:examplebucket.s3.amazonaws.com
                range:bytes=0-9
                x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                x-amz-date:20130524T000000Z

                host;range;x-amz-content-sha256;x-amz-date
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                """)
        #expect(
            signed.stringToSign == """
                AWS4-HMAC-SHA256
                20130524T000000Z
                20130524/us-east-1/s3/aws4_request
                7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972
                """)
        #expect(signed.signature == "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
        let authorization = signed.headers.first { $0.name == "authorization" }?.value
        #expect(
            authorization
                == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
        )
    }

    @Test func putObjectVector() {
        let body = Array("Welcome to Amazon S3.".utf8)
        let payloadHash = S3RequestSigner.payloadHash(of: body)
        #expect(payloadHash == "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072")
        let path = "/" + S3RequestSigner.encodePath("test$file.text")
        #expect(path == "/test%24file.text")
        let signed = Self.signer.sign(
            method: "PUT", encodedPath: path,
            headers: [
                (name: "Host", value: Self.host), (name: "Date", value: "Fri, 24 May 2013 00:00:00 GMT"),
                (name: "x-amz-storage-class", value: "REDUCED_REDUNDANCY"),
            ],
            payloadHash: payloadHash, date: Self.date)
        #expect(signed.signedHeaders == "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class")
        #expect(signed.stringToSign.hasSuffix("9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d"))
        #expect(signed.signature == "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd")
    }

    @Test func getBucketLifecycleVector() {
        let signed = Self.signer.sign(
            method: "GET", encodedPath: "/", query: [(name: "lifecycle", value: "")],
            headers: [(name: "host", value: Self.host)], payloadHash: S3RequestSigner.emptyPayloadHash, date: Self.date)
        #expect(signed.canonicalRequest.split(separator: "\n", omittingEmptySubsequences: false)[2] == "lifecycle=")
        #expect(signed.signature == "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543")
    }

    @Test func listObjectsVectorSortsTheQuery() {
        let signed = Self.signer.sign(
            method: "GET", encodedPath: "/", query: [(name: "prefix", value: "J"), (name: "max-keys", value: "2")],
            headers: [(name: "host", value: Self.host)], payloadHash: S3RequestSigner.emptyPayloadHash, date: Self.date)
        #expect(signed.stringToSign.hasSuffix("df57d21db20da04d7fa30298dd4488ba3a2b47ca3a489c74750e0f1e7df1b9b7"))
        #expect(signed.signature == "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")
    }

    @Test func presignedGetVector() throws {
        let query = try Self.signer.presignedQuery(
            method: "GET", host: Self.host, encodedPath: "/test.txt", expires: 86_400, date: Self.date)
        #expect(
            query
                == "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
        )
    }

    @Test(arguments: [0, -1, 604_801])
    func presignedExpiryOutsideSevenDaysIsRefused(expires: Int) {
        #expect(throws: S3Error.self) {
            try Self.signer.presignedQuery(method: "GET", host: Self.host, encodedPath: "/k", expires: expires, date: Self.date)
        }
    }

    @Test(arguments: [1, 604_800])
    func presignedExpiryBoundsAreAccepted(expires: Int) throws {
        let query = try Self.signer.presignedQuery(
            method: "GET", host: Self.host, encodedPath: "/k", expires: expires, date: Self.date)
        #expect(query.contains("X-Amz-Expires=\(expires)&"))
    }

    @Test(arguments: [
        ("photo.jpg", "photo.jpg"),
        ("p/ab/cd/1080w.jpg", "p/ab/cd/1080w.jpg"),
        ("a b/c", "a%20b/c"),
        ("-_.~", "-_.~"),
        ("test$file.text", "test%24file.text"),
        ("ñ/é", "%C3%B1/%C3%A9"),
        ("a+b=c&d", "a%2Bb%3Dc%26d"),
        ("already%20encoded", "already%2520encoded"),
        ("emoji😀", "emoji%F0%9F%98%80"),
        ("x*y(z)!'", "x%2Ay%28z%29%21%27"),
    ])
    func pathEncodingKeepsSlashesAndUnreservedOnly(raw: String, encoded: String) {
        #expect(S3RequestSigner.encodePath(raw) == encoded)
    }

    @Test func queryEncodingEncodesSlashAndSortsByName() {
        #expect(S3RequestSigner.uriEncode("a/b c") == "a%2Fb%20c")
        #expect(
            S3RequestSigner.canonicalQuery([
                (name: "prefix", value: "p/x y"), (name: "list-type", value: "2"), (name: "continuation-token", value: "a+b="),
            ]) == "continuation-token=a%2Bb%3D&list-type=2&prefix=p%2Fx%20y")
    }

    @Test func headerValuesAreTrimmedAndSpacesCollapsed() {
        let canonical = S3RequestSigner.canonicalHeaders([
            (name: "X-Custom", value: "  a   b  c "), (name: "Host", value: "h"), (name: "x-custom", value: "d"),
        ])
        #expect(canonical.block == "host:h\nx-custom:a b c,d\n")
        #expect(canonical.signedHeaders == "host;x-custom")
    }

    @Test func amzTimestampFormat() {
        let (dateTime, day) = S3Date.amzTimestamp(Date(timeIntervalSince1970: 951_782_400 + 3_723))  // 2000-02-29 01:02:03
        #expect(dateTime == "20000229T010203Z")
        #expect(day == "20000229")
    }

    @Test func httpAndISODatesParse() {
        #expect(HTTPDate.parse("Fri, 24 May 2013 00:00:00 GMT") == Self.date)
        #expect(S3Date.parseISO8601("2013-05-24T00:00:00.000Z") == Self.date)
        #expect(S3Date.parseISO8601("2013-05-24T00:00:00Z") == Self.date)
        #expect(HTTPDate.parse("yesterday") == nil)
        #expect(S3Date.parseISO8601("2013-13-24T00:00:00Z") == nil)
    }
}
