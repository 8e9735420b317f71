/// The XML body S3 sends with an error status:
/// `<Error><Code/><Message/><Resource/><RequestId/></Error>`.
public struct S3ErrorResponse: Hashable, Sendable {
    public var code: String?
    public var message: String?
    public var resource: String?
    public var requestID: String?

    public init(code: String?, message: String?, resource: String? = nil, requestID: String? = nil) {
        self.code = code
        self.message = message
        self.resource = resource
        self.requestID = requestID
    }

    /// Parses an error body; nil when it is empty (HEAD answers) or not an S3 `<Error>` document.
    public init?(xml: String) {
        guard let error = S3XML.blocks(named: "Error", in: xml[...]).first else { return nil }
        self.init(
            code: S3XML.text(of: "Code", in: error).flatMap(Self.nonEmpty),
            message: S3XML.text(of: "Message", in: error).flatMap(Self.nonEmpty),
            resource: S3XML.text(of: "Resource", in: error).flatMap(Self.nonEmpty),
            requestID: S3XML.text(of: "RequestId", in: error).flatMap(Self.nonEmpty)
        )
    }

    private static func nonEmpty(_ text: String) -> String? {
        let trimmed = text.trimmingASCIIWhitespace()
        return trimmed.isEmpty ? nil : trimmed
    }

    /// The `S3Error` for an error answer: by status first (SeaweedFS and HEAD answers may carry
    /// no code), refined by code where the status is ambiguous.
    public static func clientError(
        status: Int,
        response: S3ErrorResponse?,
        operation: String,
        key: String?
    ) -> S3Error {
        let code = response?.code
        let errorCode: S3Error.Code
        switch status {
        case 404: errorCode = .notFound
        case 412: errorCode = .alreadyExists
        case 403, 401: errorCode = .accessDenied
        case 416: errorCode = .invalidRange
        case 409: errorCode = .conflict
        case 408: errorCode = .timeout
        case 400..<500:
            switch code {
            case "RequestTimeout", "RequestTimeoutException": errorCode = .timeout
            case "NoSuchKey", "NoSuchBucket": errorCode = .notFound
            case "AccessDenied", "SignatureDoesNotMatch", "InvalidAccessKeyId", "RequestTimeTooSkewed",
                "ExpiredToken", "InvalidToken":
                errorCode = .accessDenied
            case let code? where S3RetryPolicy.retryableCodes.contains(code): errorCode = .unavailable
            default: errorCode = status == 429 ? .unavailable : .rejected
            }
        case 500..<600: errorCode = .unavailable
        default: errorCode = .protocolError
        }
        var message = response?.message ?? "HTTP \(status)"
        message += " (\(operation)"
        if let key { message += " \(key)" }
        message += ")"
        return S3Error(errorCode, message, serverCode: code, httpStatus: status)
    }
}
