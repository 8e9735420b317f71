import Testing

@testable import S3

@Suite struct S3ErrorResponseTests {
    @Test func parsesAnAWSErrorDocument() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <Error>
              <Code>NoSuchKey</Code>
              <Message>The resource you requested does not exist</Message>
              <Resource>/mybucket/myfoto.jpg</Resource>
              <RequestId>4442587FB7D0A2F9</RequestId>
            </Error>
            """
        let error = try #require(S3ErrorResponse(xml: xml))
        #expect(error.code == "NoSuchKey")
        #expect(error.message == "The resource you requested does not exist")
        #expect(error.resource == "/mybucket/myfoto.jpg")
        #expect(error.requestID == "4442587FB7D0A2F9")
    }

    @Test func decodesEntitiesAndToleratesMissingFields() throws {
        let xml = "<Error><Code>SignatureDoesNotMatch</Code><Message>a &lt;b&gt; &amp; &quot;c&quot; &#39;d&#x27;</Message><RequestId/></Error>"
        let error = try #require(S3ErrorResponse(xml: xml))
        #expect(error.code == "SignatureDoesNotMatch")
        #expect(error.message == "a <b> & \"c\" 'd'")
        #expect(error.resource == nil)
        #expect(error.requestID == nil)
    }

    @Test(arguments: ["", "<html>502 Bad Gateway</html>", "not xml at all"])
    func bodiesThatAreNotS3ErrorsGiveNil(body: String) {
        #expect(S3ErrorResponse(xml: body) == nil)
    }

    static let mapping: [(Int, String?, S3Error.Code)] = [
        (404, "NoSuchKey", .notFound),
        (404, "NoSuchBucket", .notFound),
        (404, nil, .notFound),
        (412, "PreconditionFailed", .alreadyExists),
        (403, "SignatureDoesNotMatch", .accessDenied),
        (403, "InvalidAccessKeyId", .accessDenied),
        (403, "AccessDenied", .accessDenied),
        (403, "RequestTimeTooSkewed", .accessDenied),
        (403, nil, .accessDenied),
        (416, "InvalidRange", .invalidRange),
        (409, "ConditionalRequestConflict", .conflict),
        (409, "BucketNotEmpty", .conflict),
        (400, "InvalidArgument", .rejected),
        (400, "EntityTooLarge", .rejected),
        (411, "MissingContentLength", .rejected),
        (400, "RequestTimeout", .timeout),
        (400, "SlowDown", .unavailable),
        (429, nil, .unavailable),
        (500, "InternalError", .unavailable),
        (503, "SlowDown", .unavailable),
        (503, "ErrTooManyRequest", .unavailable),
        (501, "NotImplemented", .unavailable),
        (301, "PermanentRedirect", .protocolError),
    ]

    @Test(arguments: mapping)
    func statusAndCodeMapToS3ErrorCodes(status: Int, code: String?, expected: S3Error.Code) {
        let error = S3ErrorResponse.clientError(
            status: status, response: S3ErrorResponse(code: code, message: "msg"), operation: "get", key: "a/b.jpg")
        #expect(error.code == expected)
        #expect(error.httpStatus == status)
        #expect(error.serverCode == code)
    }

    @Test func messageNamesServerMessageOperationAndKey() {
        let error = S3ErrorResponse.clientError(
            status: 404, response: S3ErrorResponse(code: "NoSuchKey", message: "The specified key does not exist."),
            operation: "get", key: "p/x.jpg")
        #expect(error.message == "The specified key does not exist. (get p/x.jpg)")
        #expect(error.description == "S3Error(not_found)")
        let bare = S3ErrorResponse.clientError(status: 404, response: nil, operation: "head", key: "k")
        #expect(bare.message == "HTTP 404 (head k)")
        #expect(bare.serverCode == nil)
    }
}
