@testable import API
import Foundation
import HTTPTypes
import S3
import Testing

/// RFC 9110's conditional and range rules for one 1000-byte representation with ETag `"abc"`, last modified
/// Wed, 21 Oct 2015 07:28:00 GMT.
@Suite struct OriginAnswerTests {
    static let lastModified = Date(timeIntervalSince1970: 1_445_412_480)
    static let representation = OriginAnswer.Representation(
        etag: EntityTag(opaque: "abc"), lastModified: lastModified.addingTimeInterval(0.75), size: 1000)

    struct Row: Sendable, CustomTestStringConvertible {
        var name: String
        var isGet = true
        var headers: [(HTTPField.Name, String)]
        var expected: OriginAnswer
        var testDescription: String { name }
    }

    static let rows: [Row] = [
        Row(name: "plain GET", headers: [], expected: .full),
        Row(name: "plain HEAD", isGet: false, headers: [], expected: .full),
        Row(name: "INM strong match", headers: [(.ifNoneMatch, "\"abc\"")], expected: .notModified),
        Row(name: "INM weak match", headers: [(.ifNoneMatch, "W/\"abc\"")], expected: .notModified),
        Row(name: "INM star", headers: [(.ifNoneMatch, "*")], expected: .notModified),
        Row(name: "INM list", headers: [(.ifNoneMatch, "\"x\", \"abc\"")], expected: .notModified),
        Row(name: "INM two field lines", headers: [(.ifNoneMatch, "\"x\""), (.ifNoneMatch, "\"abc\"")], expected: .notModified),
        Row(name: "INM match on HEAD", isGet: false, headers: [(.ifNoneMatch, "\"abc\"")], expected: .notModified),
        Row(name: "INM mismatch", headers: [(.ifNoneMatch, "\"nope\"")], expected: .full),
        Row(name: "INM match wins over Range", headers: [(.ifNoneMatch, "\"abc\""), (.range, "bytes=0-9")], expected: .notModified),
        Row(name: "INM mismatch then Range", headers: [(.ifNoneMatch, "\"nope\""), (.range, "bytes=0-9")], expected: .partial(0...9)),
        Row(name: "IMS at Last-Modified", headers: [(.ifModifiedSince, "Wed, 21 Oct 2015 07:28:00 GMT")], expected: .notModified),
        Row(name: "IMS later", headers: [(.ifModifiedSince, "Thu, 22 Oct 2015 07:28:00 GMT")], expected: .notModified),
        Row(name: "IMS earlier", headers: [(.ifModifiedSince, "Wed, 21 Oct 2015 07:27:59 GMT")], expected: .full),
        Row(name: "IMS unreadable", headers: [(.ifModifiedSince, "yesterday")], expected: .full),
        Row(name: "IMS ignored beside a mismatching INM",
            headers: [(.ifNoneMatch, "\"nope\""), (.ifModifiedSince, "Thu, 22 Oct 2015 07:28:00 GMT")], expected: .full),
        Row(name: "Range single", headers: [(.range, "bytes=0-99")], expected: .partial(0...99)),
        Row(name: "Range past the end is clipped", headers: [(.range, "bytes=990-2000")], expected: .partial(990...999)),
        Row(name: "Range open", headers: [(.range, "bytes=900-")], expected: .partial(900...999)),
        Row(name: "Range suffix", headers: [(.range, "bytes=-100")], expected: .partial(900...999)),
        Row(name: "Range suffix longer than the body", headers: [(.range, "bytes=-5000")], expected: .partial(0...999)),
        Row(name: "Range unsatisfiable", headers: [(.range, "bytes=1000-")], expected: .rangeNotSatisfiable),
        Row(name: "Range suffix zero", headers: [(.range, "bytes=-0")], expected: .rangeNotSatisfiable),
        Row(name: "Range multi", headers: [(.range, "bytes=0-9,20-29")], expected: .full),
        Row(name: "Range unreadable", headers: [(.range, "bytes=9-1")], expected: .full),
        Row(name: "Range other unit", headers: [(.range, "lines=1-2")], expected: .full),
        Row(name: "Range on HEAD ignored", isGet: false, headers: [(.range, "bytes=0-9")], expected: .full),
        Row(name: "If-Range strong ETag fresh", headers: [(.range, "bytes=0-9"), (.ifRange, "\"abc\"")], expected: .partial(0...9)),
        Row(name: "If-Range ETag stale", headers: [(.range, "bytes=0-9"), (.ifRange, "\"old\"")], expected: .full),
        Row(name: "If-Range weak ETag never holds", headers: [(.range, "bytes=0-9"), (.ifRange, "W/\"abc\"")], expected: .full),
        Row(name: "If-Range date fresh",
            headers: [(.range, "bytes=0-9"), (.ifRange, "Wed, 21 Oct 2015 07:28:00 GMT")], expected: .partial(0...9)),
        Row(name: "If-Range date stale",
            headers: [(.range, "bytes=0-9"), (.ifRange, "Wed, 21 Oct 2015 07:27:00 GMT")], expected: .full),
        Row(name: "If-Range unreadable", headers: [(.range, "bytes=0-9"), (.ifRange, "whenever")], expected: .full),
        Row(name: "If-Range stale keeps 416 away", headers: [(.range, "bytes=5000-"), (.ifRange, "\"old\"")], expected: .full),
        Row(name: "If-Range without Range", headers: [(.ifRange, "\"abc\"")], expected: .full),
    ]

    @Test(arguments: rows)
    func answers(_ row: Row) {
        var headers = HTTPFields()
        for (name, value) in row.headers { headers.append(HTTPField(name: name, value: value)) }
        #expect(OriginAnswer(isGet: row.isGet, headers: headers, representation: Self.representation) == row.expected)
    }

    @Test func lastModifiedIsWholeSeconds() {
        #expect(Self.representation.lastModified == Self.lastModified)
        #expect(OriginController.cachingHeaders(Self.representation)[.lastModified] == "Wed, 21 Oct 2015 07:28:00 GMT")
    }

    @Test func cachingHeadersAreWhatEveryAnswerCarries() {
        let headers = OriginController.cachingHeaders(Self.representation)
        #expect(headers[.eTag] == "\"abc\"")
        #expect(headers[.cacheControl] == "public, max-age=31536000, immutable")
        #expect(headers[.acceptRanges] == "bytes")
    }
}
