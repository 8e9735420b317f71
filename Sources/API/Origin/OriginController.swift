import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Storage
import S3

/// The CDN's origin: `GET|HEAD /m/{id}/{preset}.{jpg|webp}`.
///
/// The name is parsed into a media id and a preset, and the object key is taken from the media row: a request path
/// is never joined into a key, so nothing like `../` can reach another object. Rendition keys carry a hash of their
/// bytes, so a response never changes: a strong ETag and a year of immutable caching.
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
        guard let idText = context.parameters.get("id"), let id = ShardedID(path: idText),
              let name = context.parameters.get("name"), let (preset, fileExtension) = Self.parseName(name),
              let media = try await services.repository.media(id: id, logger: context.logger), !media.isDeleted,
              let rendition = media.renditions.first(where: { $0.preset == preset && $0.fileExtension == fileExtension })
        else { throw APIError(.notFound, "no such rendition") }

        let etag = "\"\(rendition.sha256)\""
        var headers = HTTPFields()
        headers[.eTag] = etag
        headers[.cacheControl] = Self.cacheControl
        headers[.contentType] = rendition.contentType
        if let ifNoneMatch = request.headers[.ifNoneMatch], Self.matches(ifNoneMatch, etag: etag) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentLength] = String(rendition.size)
        guard includeBody else { return Response(status: .ok, headers: headers) }
        let object: StoredObject
        do {
            object = try await services.objectStore.get(try ObjectKey(rendition.key), range: nil)
        } catch let error as StorageError where error.code == .notFound {
            // A row whose object is gone (cleanup raced a read): the rendition no longer exists.
            context.logger.warning("rendition object missing", metadata: ["media.id": "\(media.id)", "object.key": "\(rendition.key)"])
            throw APIError(.notFound, "no such rendition")
        }
        headers[.contentLength] = String(object.body.readableBytes)
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: object.body))
    }

    /// `If-None-Match: "a", W/"b"` or `*` (weak comparison, as RFC 9110 asks for If-None-Match).
    static func matches(_ header: String, etag: String) -> Bool {
        header.split(separator: ",").contains { candidate in
            let tag = candidate.trimmingASCIIWhitespace()
            return tag == "*" || tag == etag || tag == "W/" + etag
        }
    }
}
