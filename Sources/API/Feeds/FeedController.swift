import Hummingbird
import Logging
import Storage

/// `GET /v1/feed?cursor=&limit=`: the caller's home feed, newest first.
struct FeedController: Sendable {
    let services: SocialServices
    let accounts: AccountServices

    func addRoutes(to router: Router<APIRequestContext>) {
        router.group("/v1/feed").add(middleware: SessionAuthenticator(services: accounts)).get { request, context in
            let me = try context.requireUser().id
            let page = try PageRequest(request)
            let result = try await self.services.feed.page(reader: me, before: page.cursor, limit: page.limit, logger: context.logger)
            return PageResponse("media", items: result.media.map { MediaResponse($0, viewer: me, cdnBaseURL: services.cdnBaseURL) }, nextCursor: result.nextCursor?.description)
        }
    }
}
