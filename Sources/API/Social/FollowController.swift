import Hummingbird
import Logging
import Pipeline
import Runtime
import Storage

/// `POST/DELETE /v1/users/{id}/follow`, `GET /v1/users/{id}/followers`, `GET /v1/users/{id}/following`.
struct FollowController: Sendable {
    let services: SocialServices
    let accounts: AccountServices

    struct FollowResponse: ResponseCodable, Sendable {
        var following: Bool
    }

    func addRoutes(to router: Router<APIRequestContext>) {
        let group = router.group("/v1/users/{id}").add(middleware: SessionAuthenticator(services: accounts))
        group.post("follow") { _, context in try await self.setFollowing(true, context: context) }
        group.delete("follow") { _, context in try await self.setFollowing(false, context: context) }
        group.get("followers") { request, context in try await self.list(request, context: context, followers: true) }
        group.get("following") { request, context in try await self.list(request, context: context, followers: false) }
    }

    /// Idempotent both ways. The follower's side commits first (with the `follow` job); the target's side is then
    /// applied here, and if that fails the job repairs it (see ``FollowRepository``), so the caller still gets 200.
    func setFollowing(_ following: Bool, context: APIRequestContext) async throws -> FollowResponse {
        let me = try context.requireUser().id
        let target = try PageRequest.id(context, "id", what: "user")
        guard target != me else { throw APIError(.cannotFollowSelf, "you cannot follow yourself") }
        try await accounts.rateLimits.check(.follow, user: me, logger: context.logger)
        guard try await services.users.user(id: target, logger: context.logger) != nil else {
            throw APIError(.notFound, "no such user")
        }
        let (changed, outbox) = try await services.follows.writeFollowerSide(follower: me, target: target, following: following, logger: context.logger)
        if changed {
            _ = await services.publish.publish(outbox, logger: context.logger)
        }
        do {
            try await services.follows.applyTargetSide(follower: me, target: target, following: following, logger: context.logger)
        } catch {
            context.logger.warning("target side of a follow left to the follow job", metadata: [
                "target.id": "\(target)", "error": "\(String(reflecting: error))",
            ])
        }
        return FollowResponse(following: following)
    }

    func list(_ request: Request, context: APIRequestContext, followers: Bool) async throws -> PageResponse<UserResponse> {
        let user = try PageRequest.id(context, "id", what: "user")
        let page = try PageRequest(request)
        guard try await services.users.user(id: user, logger: context.logger) != nil else { throw APIError(.notFound, "no such user") }
        let ids = followers
            ? try await services.follows.followers(of: user, before: page.cursor, limit: page.limit, logger: context.logger)
            : try await services.follows.following(of: user, before: page.cursor, limit: page.limit, logger: context.logger)
        let users = try await services.userResponses(ids, logger: context.logger)
        return PageResponse("users", items: users, nextCursor: ids.count == page.limit ? ids.last?.description : nil)
    }
}
