import HTTPTypes
import Hummingbird
import Foundation
import Logging
import NIOCore
import Storage
import S3

/// The CDN's origin: `GET|HEAD /m/{id}/{preset}.{jpg|webp}`, with the caching semantics a CDN relies on
/// (RFC 9110/9111): strong ETag, a year of immutable caching, conditional requests and byte ranges.
///
/// The name is parsed into a media id and a preset, and the object key is taken from the media row: a request path
/// is never joined into a key, so nothing like `../` can reach another object. Rendition keys carry a hash of their
/// bytes, so a response never changes. The row is read on every request, so a deleted media is 404 from every
/// process at once, whatever their hot caches hold (`RenditionCache`).
///
/// Bytes are buffered, not streamed: a rendition is at most a few hundred kilobytes, the hot cache needs the whole
/// object anyway, and `Content-Length` is known from the row before the first byte, so nothing is ever chunked.
struct OriginController: Sendable {
    let services: MediaServices

    static let cacheControl = "public, max-age=31536000, immutable"

    func addRoutes(to router: Router<APIRequestContext>) {
        router.get("/m/{id}/{name}") { request, context in
            try await self.serve(request, context: context, includeBody: true)
        }
        router.head("/m/{id}/{name}") { request, context in
            try await self.serve(request, context: context, includeBody: false)
        }
    }

    /// `w1080.jpg` → (`w1080`, `jpg`); nil for anything else.
    static func parseName(_ name: String) -> (preset: String, fileExtension: String)? {
        let pieces = name.split(separator: ".", omittingEmptySubsequences: false)
        guard pieces.count == 2, ["jpg", "webp"].contains(pieces[1]),
              (1...16).contains(pieces[0].count), pieces[0].allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber) })
        else { return nil }
        return (String(pieces[0]), String(pieces[1]))
    }

    func serve(_ request: Request, context: APIRequestContext, includeBody: Bool) async throws -> Response {
        let cacheControl = try Self.cachePolicy(
            for: services.urlSigner.verify(
                path: request.uri.path, exp: request.uri.queryParameters["exp"].map(String.init),
                sig: request.uri.queryParameters["sig"].map(String.init), now: Date()))
        guard let idText = context.parameters.get("id"), let id = ShardedID(path: idText),
              let name = context.parameters.get("name"), let (preset, fileExtension) = Self.parseName(name),
              let media = try await services.repository.media(id: id, logger: context.logger),
              let rendition = media.renditions.first(where: { $0.preset == preset && $0.fileExtension == fileExtension })
        else { throw APIError(.notFound, "no such rendition") }
        guard !media.isDeleted else {
            services.renditionCache.remove(media.renditions.map(\.key))
            throw APIError(.notFound, "no such rendition")
        }

        let representation = OriginAnswer.Representation(
            etag: EntityTag(opaque: rendition.sha256), lastModified: media.createdAt, size: rendition.size)
        var headers = Self.cachingHeaders(representation, cacheControl: cacheControl)
        switch OriginAnswer(isGet: request.method == .get, headers: request.headers, representation: representation) {
        case .notModified:
            // RFC 9110 §8.6: a 304 may carry Content-Length only as the 200 would; without it the server would
            // write 0, which a cache could take for the new length.
            headers[.contentLength] = String(rendition.size)
            return Response(status: .notModified, headers: headers)
        case .rangeNotSatisfiable:
            var response = ErrorResponse.response(
                for: APIError(.rangeNotSatisfiable, "the range selects no byte of this \(rendition.size)-byte rendition"))
            response.headers[.contentRange] = "bytes */\(rendition.size)"
            response.headers[.acceptRanges] = "bytes"
            return response
        case .full:
            headers[.contentType] = rendition.contentType
            headers[.contentLength] = String(rendition.size)
            guard includeBody else { return Response(status: .ok, headers: headers) }
            let body = try await wholeObject(rendition, context: context)
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: body))
        case .partial(let bounds):
            headers[.contentType] = rendition.contentType
            headers[.contentRange] = ContentRange(first: bounds.lowerBound, last: bounds.upperBound, total: rendition.size).headerValue
            headers[.contentLength] = String(bounds.count)
            let body = try await part(bounds, of: rendition, context: context)
            return Response(status: .partialContent, headers: headers, body: ResponseBody(byteBuffer: body))
        }
    }

    /// A public URL is cacheable for a year; a signed one only until it expires (a cache keeping it longer would
    /// serve an expired link), and a bad or expired signature is 403.
    static func cachePolicy(for verdict: URLSigner.Verdict, now: Date = Date()) throws(APIError) -> String {
        switch verdict {
        case .unsigned: return cacheControl
        case .valid(let expires): return "public, max-age=\(max(0, Int(expires.timeIntervalSince(now).rounded(.down))))"
        case .expired: throw APIError(.forbidden, "the link has expired")
        case .invalid: throw APIError(.forbidden, "the link's signature is not valid")
        }
    }

    /// What a 200, 206 and 304 all carry (RFC 9110 §15.4.5: a 304 has the caching fields the 200 would).
    /// `X-Content-Type-Options: nosniff` comes with every answer from `SecurityHeadersMiddleware`.
    static func cachingHeaders(_ representation: OriginAnswer.Representation, cacheControl: String = OriginController.cacheControl) -> HTTPFields {
        [
            .eTag: representation.etag.description,
            .cacheControl: cacheControl,
            .lastModified: HTTPDate.format(representation.lastModified),
            .acceptRanges: "bytes",
        ]
    }

    /// The whole object from the hot cache, or from the store (then kept).
    private func wholeObject(_ rendition: StoredRendition, context: APIRequestContext) async throws -> ByteBuffer {
        if let cached = services.renditionCache.bytes(for: rendition.key) { return cached }
        let body = try await fetch(rendition, range: nil, expectedBytes: rendition.size, context: context)
        services.renditionCache.insert(body, for: rendition.key)
        return body
    }

    /// A slice of the cached bytes, or a ranged GET from the store (not cached: a range is rarely the start of
    /// a run of requests for the whole object, and one miss should not cost a full fetch).
    private func part(_ bounds: ClosedRange<Int>, of rendition: StoredRendition, context: APIRequestContext) async throws -> ByteBuffer {
        if let cached = services.renditionCache.bytes(for: rendition.key),
           let slice = cached.getSlice(at: cached.readerIndex + bounds.lowerBound, length: bounds.count) {
            return slice
        }
        return try await fetch(
            rendition, range: .closed(first: bounds.lowerBound, last: bounds.upperBound), expectedBytes: bounds.count, context: context)
    }

    private func fetch(
        _ rendition: StoredRendition, range: ObjectRange?, expectedBytes: Int, context: APIRequestContext
    ) async throws -> ByteBuffer {
        let object: StoredObject
        do {
            object = try await services.objectStore.get(try ObjectKey(rendition.key), range: range)
        } catch let error as StorageError where error.code == .notFound {
            // A row whose object is gone (cleanup raced a read): the rendition no longer exists.
            context.logger.warning("rendition object missing", metadata: ["object.key": "\(rendition.key)"])
            throw APIError(.notFound, "no such rendition")
        }
        // The headers promised this many bytes under a strong ETag: other bytes would be a lie a cache keeps a year.
        guard object.body.readableBytes == expectedBytes else {
            context.logger.error(
                "rendition object does not match its row",
                metadata: ["object.key": "\(rendition.key)", "expected": "\(expectedBytes)", "got": "\(object.body.readableBytes)"])
            throw APIError(.internalError, "internal error")
        }
        return object.body
    }
}
