import Foundation
import Hummingbird
import Logging
import Pipeline
import Runtime
import Storage

/// `POST /v1/media/{id}/comments`, `GET /v1/media/{id}/comments`, `DELETE /v1/media/{id}/comments/{cid}`.
struct CommentsController: Sendable {
    /// In Unicode code points (see `TextRules`).
    static let maxLength = 2_200

    let services: SocialServices
    let accounts: AccountServices

    struct CommentRequest: Decodable, Sendable {
        static let bodyLimit = JSONRequestBody.limit(textFieldLimits: [CommentsController.maxLength])

        var text: String
    }

    func addRoutes(to router: Router<APIRequestContext>) {
        let group = router.group("/v1/media/{id}/comments").add(middleware: SessionAuthenticator(services: accounts))
        group.post { request, context in try await self.add(request, context: context) }
        group.get { request, context in
            let media = try PageRequest.id(context, "id", what: "media")
            let page = try PageRequest(request)
            guard let comments = try await self.services.comments.comments(of: media, before: page.cursor, limit: page.limit, logger: context.logger) else {
                throw APIError(.notFound, "no such media")
            }
            return PageResponse("comments", items: comments.map(CommentResponse.init), nextCursor: comments.count == page.limit ? comments.last?.id.description : nil)
        }
        group.delete("{cid}") { _, context in
            let me = try context.requireUser().id
            let media = try PageRequest.id(context, "id", what: "media")
            let comment = try PageRequest.id(context, "cid", what: "comment")
            switch try await self.services.comments.delete(comment: comment, media: media, requester: me, logger: context.logger) {
            case .notFound: throw APIError(.notFound, "no such comment")
            case .forbidden: throw APIError(.forbidden, "only the comment's author or the media's owner may delete it")
            case .deleted: return Response(status: .noContent)
            }
        }
    }

    func add(_ request: Request, context: APIRequestContext) async throws -> EditedResponse<CommentResponse> {
        let me = try context.requireUser().id
        let media = try PageRequest.id(context, "id", what: "media")
        try await accounts.rateLimits.check(.comment, user: me, logger: context.logger)
        let body = try await JSONRequestBody.decode(CommentRequest.self, from: request, limit: CommentRequest.bodyLimit)
        let text = try TextRules.validated(
            body.text.trimmingCharacters(in: .whitespacesAndNewlines), field: "text", maxCodePoints: Self.maxLength, multiline: true)
        guard !text.isEmpty else { throw APIError(.validationFailed, "text must not be empty", field: "text") }
        switch try await services.comments.add(media: media, author: me, body: text, logger: context.logger) {
        case .notFound:
            throw APIError(.notFound, "no such media")
        case .added(let comment, let outbox):
            _ = await services.publish.publish(outbox, logger: context.logger)
            return EditedResponse(status: .created, response: CommentResponse(comment))
        }
    }
}
