import Hummingbird
import Logging
import Pipeline
import Runtime
import Storage

/// `POST/DELETE /v1/media/{id}/likes` (idempotent), `GET /v1/media/{id}/likes`.
struct LikesController: Sendable {
    let services: SocialServices
    let accounts: AccountServices

    struct LikeResponse: ResponseCodable, Sendable {
        var liked: Bool
        var likeCount: Int64

        enum CodingKeys: String, CodingKey {
            case liked, likeCount = "like_count"
        }
    }

    func addRoutes(to router: Router<APIRequestContext>) {
        let group = router.group("/v1/media/{id}/likes").add(middleware: SessionAuthenticator(services: accounts))
        group.post { _, context in try await self.setLiked(true, context: context) }
        group.delete { _, context in try await self.setLiked(false, context: context) }
        group.get { request, context in
            let media = try PageRequest.id(context, "id", what: "media")
            let page = try PageRequest(request)
            guard let ids = try await self.services.likes.likers(of: media, before: page.cursor, limit: page.limit, logger: context.logger) else {
                throw APIError(.notFound, "no such media")
            }
            let users = try await self.services.userResponses(ids, logger: context.logger)
            return PageResponse("users", items: users, nextCursor: ids.count == page.limit ? ids.last?.description : nil)
        }
    }

    func setLiked(_ liked: Bool, context: APIRequestContext) async throws -> LikeResponse {
        let me = try context.requireUser().id
        let media = try PageRequest.id(context, "id", what: "media")
        try await accounts.rateLimits.check(.like, user: me, logger: context.logger)
        let outcome: LikeRepository.Outcome
        do {
            outcome = try await services.likes.setLiked(liked, media: media, user: me, logger: context.logger)
        } catch let error as StorageError where error.code == .notFound {
            throw APIError(.notFound, "no such media")
        }
        switch outcome {
        case .notFound:
            throw APIError(.notFound, "no such media")
        case .done(_, let count, let outbox):
            _ = await services.publish.publish(outbox, logger: context.logger)
            return LikeResponse(liked: liked, likeCount: count)
        }
    }
}
