import Hummingbird
import NIOCore

/// The upload as sent: `multipart/form-data` with a `photo` part and text fields, or the raw image as the body with
/// the same fields as query parameters. The body is collected once, up to the limit; the photo is a slice of it.
struct UploadForm: Sendable {
    static let fieldNames = ["caption", "filter", "lat", "lng", "crosspost"]

    var photo: ByteBuffer
    var fields: [String: String]

    static func read(_ request: Request, maxBytes: Int) async throws -> UploadForm {
        let contentType = request.headers[.contentType] ?? ""
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBytes {
            // Refuse before reading a byte of it.
            throw APIError(.payloadTooLarge, "the upload is larger than \(maxBytes) bytes")
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: maxBytes)
        } catch is NIOTooManyBytesError {
            throw APIError(.payloadTooLarge, "the upload is larger than \(maxBytes) bytes")
        } catch {
            // The body stream broke off (the HTTP parser's "stream ended at an unexpected time" on EOF mid-body):
            // the client went away, and nobody is left to answer.
            throw CancellationError()
        }
        if contentType.lowercased().hasPrefix("multipart/") {
            guard let boundary = MultipartForm.boundary(contentType: contentType) else {
                throw APIError(.badRequest, "multipart uploads must be multipart/form-data with a boundary")
            }
            let form: MultipartForm
            do {
                form = try MultipartForm(parsing: body, boundary: boundary)
            } catch {
                throw APIError(.badRequest, "the multipart body is malformed")
            }
            guard let photo = form.part(named: "photo") else {
                throw APIError(.validationFailed, "a photo part is required", field: "photo")
            }
            var fields: [String: String] = [:]
            for name in fieldNames { fields[name] = form.text(name) }
            return UploadForm(photo: photo.body, fields: fields)
        }
        let query = request.uri.queryParameters
        var fields: [String: String] = [:]
        for name in fieldNames { fields[name] = query[Substring(name)].map(String.init) }
        return UploadForm(photo: body, fields: fields)
    }
}
