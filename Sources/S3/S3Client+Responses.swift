import AsyncHTTPClient
import NIOCore
import NIOPosix

/// The pure parts of `S3Client`: how failures are classified and answers are read.
extension S3Client {
    struct AttemptTimedOut: Error {}

    /// How a failed attempt without an HTTP answer counts for the retry policy.
    static func outcome(for error: any Error) -> S3RetryPolicy.Outcome {
        if error is AttemptTimedOut { return .timedOut }
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .writeTimeout, .connectTimeout, .getConnectionFromPoolTimeout,
                .tlsHandshakeTimeout, .socksHandshakeTimeout, .httpProxyHandshakeTimeout:
                return .timedOut
            case .remoteConnectionClosed:
                return .connectionFailed
            default:
                return .localFailure
            }
        }
        if let error = error as? ChannelError {
            switch error {
            case .connectTimeout: return .timedOut
            case .ioOnClosedChannel, .outputClosed, .inputClosed, .eof, .alreadyClosed: return .connectionFailed
            default: return .localFailure
            }
        }
        if error is IOError { return .connectionFailed }
        // Every address of the endpoint refused or failed to connect.
        if error is NIOConnectionError { return .connectionFailed }
        return .localFailure
    }

    static func clientError(
        for error: any Error, outcome: S3RetryPolicy.Outcome, operation: String, key: ObjectKey?
    ) -> S3Error {
        let target = key.map { "\(operation) \($0)" } ?? operation
        switch outcome {
        case .timedOut:
            return S3Error(.timeout, "no answer in time (\(target))", underlying: error)
        case .connectionFailed:
            return S3Error(.unavailable, "connection failed (\(target))", underlying: error)
        case .localFailure, .response:
            if error is NIOTooManyBytesError {
                return S3Error(.protocolError, "answer larger than the response limit (\(target))", underlying: error)
            }
            return S3Error(.unavailable, "request failed (\(target))", underlying: error)
        }
    }

    static func storedObject(from response: S3HTTPResponse, requestedRange: ObjectRange?, key: ObjectKey) throws(S3Error)
        -> StoredObject
    {
        var body = response.body
        var contentRange = response.header("content-range").flatMap(ContentRange.init(headerValue:))
        if response.status == 206, contentRange == nil {
            throw S3Error(.protocolError, "206 for \(key) without a valid Content-Range", httpStatus: 206)
        }
        if response.status == 200, let requestedRange {
            // A server may ignore Range and send everything; cut the range out ourselves.
            let size = body.readableBytes
            guard let bounds = requestedRange.bounds(forSize: size) else {
                throw S3Error(.invalidRange, "range \(requestedRange) outside \(size) bytes (get \(key))", httpStatus: 200)
            }
            body = body.getSlice(at: body.readerIndex + bounds.lowerBound, length: bounds.count) ?? ByteBuffer()
            contentRange = ContentRange(first: bounds.lowerBound, last: bounds.upperBound, total: size)
        }
        return StoredObject(
            body: body,
            contentType: response.header("content-type"),
            etag: response.header("etag").map(unquoteETag) ?? "",
            contentLength: body.readableBytes,
            contentRange: contentRange)
    }

    /// S3 bucket naming rules (3-63 chars of `a-z0-9.-`, alphanumeric ends).
    static func isValidBucketName(_ name: String) -> Bool {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789.-")
        let alphanumeric = Set("abcdefghijklmnopqrstuvwxyz0123456789")
        guard (3...63).contains(name.count), let first = name.first, let last = name.last else { return false }
        return alphanumeric.contains(first) && alphanumeric.contains(last) && name.allSatisfy(allowed.contains)
    }
}
