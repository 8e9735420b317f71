import Foundation
import Hummingbird
import Logging
import Storage

/// `GET /v1/activity?cursor=&limit=`: likes, comments and follows concerning the caller, newest first. The cursor is
/// the last item's `cursor` value (its score in the list), not an id.
struct ActivityController: Sendable {
    let services: SocialServices
    let accounts: AccountServices

    func addRoutes(to router: Router<APIRequestContext>) {
        router.group("/v1/activity").add(middleware: SessionAuthenticator(services: accounts)).get { request, context in
            let me = try context.requireUser().id
            // The cursor is a score, which parses like an id (a non-negative decimal integer).
            let page = try PageRequest(request)
            let items = try await self.services.activity.page(of: me, before: page.cursor?.rawValue, limit: page.limit)
            let responses = items.map {
                ActivityItemResponse(
                    id: $0.item.id, kind: $0.item.kind, actorID: $0.item.actorID.description, mediaID: $0.item.mediaID?.description,
                    commentID: $0.item.commentID?.description, createdAt: $0.date.formatted(.iso8601))
            }
            return PageResponse("items", items: responses, nextCursor: items.count == page.limit ? items.last.map { String($0.score) } : nil)
        }
    }
}
