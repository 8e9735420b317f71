import Hummingbird
import Storage

/// `GET /v1/media/search?lat=&lng=&radius_m=&order=recent|distance&cursor=&limit=`: live media within the radius
/// (at most 50 km), newest or nearest first, from the place index, hydrated from the shards.
struct GeoSearchController: Sendable {
    let services: SocialServices
    let accounts: AccountServices

    func addRoutes(to router: Router<APIRequestContext>) {
        router.group("/v1/media/search").add(middleware: SessionAuthenticator(services: accounts)).get { request, context in
            let search = try GeoSearchRequest(request)
            let page = try await self.services.geo.page(search.query, logger: context.logger)
            return PageResponse(
                "media", items: page.media.map { MediaResponse($0, viewer: context.authenticatedUser?.id, cdnBaseURL: self.services.cdnBaseURL) }, nextCursor: page.nextCursor?.token)
        }
    }
}
