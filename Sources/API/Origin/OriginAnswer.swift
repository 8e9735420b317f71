import Foundation
import HTTPTypes
import S3

/// What the origin answers a `GET` or `HEAD` of one representation, from the request's conditional and range
/// headers, evaluated in RFC 9110 §13.2.2's order. Pure: the controller fetches bytes and writes headers for it.
enum OriginAnswer: Hashable, Sendable {
    /// 304: the client's copy is current.
    case notModified
    /// 200 with the whole representation.
    case full
    /// 206 with these bytes (inclusive offsets).
    case partial(ClosedRange<Int>)
    /// 416 with `Content-Range: bytes */size`.
    case rangeNotSatisfiable

    /// The validators and size of what is served.
    struct Representation: Hashable, Sendable {
        var etag: EntityTag
        /// Whole seconds (HTTP dates have no finer resolution, and a comparison against sub-second time would
        /// never call a copy current).
        var lastModified: Date
        var size: Int

        init(etag: EntityTag, lastModified: Date, size: Int) {
            self.etag = etag
            self.lastModified = Date(timeIntervalSince1970: lastModified.timeIntervalSince1970.rounded(.down))
            self.size = size
        }
    }

    init(isGet: Bool, headers: HTTPFields, representation: Representation) {
        let ifNoneMatch = headers[values: .ifNoneMatch]
        if !ifNoneMatch.isEmpty {
            // §13.1.2: weak comparison; the 304 is for GET and HEAD, the only methods routed here.
            if let condition = EntityTag.Condition(ifNoneMatch.joined(separator: ",")),
               condition.weaklyMatches(representation.etag) {
                self = .notModified
                return
            }
            // §13.1.3: If-Modified-Since is ignored whenever If-None-Match is present.
        } else if let text = headers[.ifModifiedSince], let since = HTTPDate.parse(text), representation.lastModified <= since {
            self = .notModified
            return
        }

        // §14.2: Range is defined for GET only; HEAD answers as a GET without Range would.
        guard isGet, let text = headers[.range], let range = ByteRangeRequest(text) else {
            self = .full
            return
        }
        if let ifRange = headers[.ifRange], !Self.ifRangeHolds(ifRange, representation) {
            self = .full
            return
        }
        switch range {
        case .multiple:
            self = .full
        case .single(let range):
            self = range.bounds(forSize: representation.size).map { .partial($0) } ?? .rangeNotSatisfiable
        }
    }

    /// §13.1.5: an entity tag must match strongly (a weak one never does); a date must equal Last-Modified exactly.
    /// Anything unreadable does not hold, so the client gets the whole representation rather than a wrong piece.
    static func ifRangeHolds(_ text: String, _ representation: Representation) -> Bool {
        if let tag = EntityTag(text) { return tag.strongMatches(representation.etag) }
        if let date = HTTPDate.parse(text) { return date == representation.lastModified }
        return false
    }
}
