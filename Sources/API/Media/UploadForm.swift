import Hummingbird
import NIOCore

/// The upload as sent: `multipart/form-data` with a `photo` part and text fields, or the raw image as the body with
/// the same fields as query parameters. The body is collected once, up to the limit; the photo is a slice of it.
/// Either way each field comes at most once and is valid UTF-8 (`FormFields`).
struct UploadForm: Sendable {
    static let fieldNames: Set<String> = ["caption", "filter", "lat", "lng", "location", "crosspost"]
    /// The photo, the fields, and room for a few a client may add that are ignored.
    static let maxParts = 16

    var photo: ByteBuffer
    var fields: FormFields

    static func read(_ request: Request, maxBytes: Int) async throws -> UploadForm {
        let contentType = request.headers[.contentType] ?? ""
        let body = try await BoundedBody.collect(request, limit: maxBytes, what: "the upload")
        var fields = FormFields(known: fieldNames)
        guard contentType.lowercased().hasPrefix("multipart/") else {
            for (name, value) in try QueryString.pairs(request.uri.query) { try fields.add(name, value) }
            return UploadForm(photo: body, fields: fields)
        }
        guard let boundary = MultipartForm.boundary(contentType: contentType) else {
            throw APIError(.badRequest, "multipart uploads must be multipart/form-data with a boundary")
        }
        let form: MultipartForm
        do {
            form = try MultipartForm(parsing: body, boundary: boundary, maxParts: maxParts)
        } catch .tooManyParts {
            throw APIError(.badRequest, "the multipart body has more than \(maxParts) parts")
        } catch {
            throw APIError(.badRequest, "the multipart body is malformed")
        }
        var photo: ByteBuffer?
        for part in form.parts {
            guard part.name == "photo" else {
                try fields.add(part.name, part.body.readableBytesView)
                continue
            }
            guard photo == nil else { throw APIError(.validationFailed, "photo is given more than once", field: "photo") }
            photo = part.body
        }
        guard let photo else { throw APIError(.validationFailed, "a photo part is required", field: "photo") }
        return UploadForm(photo: photo, fields: fields)
    }
}
