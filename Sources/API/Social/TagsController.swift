import Hummingbird
import Logging
import Storage

/// `GET /v1/tags/{tag}/media?cursor=&limit=`: media with the hashtag, newest first, across every shard. With a database
/// server down the page holds what the others have and says `"partial": true`.
struct TagsController: Sendable {
    let services: SocialServices
    let accounts: AccountServices

    func addRoutes(to router: Router<APIRequestContext>) {
        router.group("/v1/tags/{tag}/media").add(middleware: SessionAuthenticator(services: accounts)).get { request, context in
            var tag = (context.parameters.get("tag") ?? "").lowercased()
            if tag.hasPrefix("#") { tag.removeFirst() }
            guard !tag.isEmpty, tag.count <= 100, tag.allSatisfy({ $0 == "_" || $0.isLetter || $0.isNumber }) else {
                throw APIError(.validationFailed, "tag must be letters, digits or _", field: "tag")
            }
            let page = try PageRequest(request)
            let found = try await self.services.tags.mediaIDs(tag: tag, before: page.cursor, limit: page.limit, logger: context.logger)
            let ids = found.ids
            let media = try await self.services.media.media(ids: ids, logger: context.logger)
            return PageResponse(
                "media", items: media.map { MediaResponse($0, viewer: context.authenticatedUser?.id, cdnBaseURL: services.cdnBaseURL) },
                nextCursor: ids.count == page.limit ? ids.last?.description : nil, partial: found.isPartial)
        }
    }
}
