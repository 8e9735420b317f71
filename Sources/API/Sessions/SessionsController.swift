import Foundation
import Hummingbird
import Logging
import Prometheus
import Runtime
import Storage

/// `POST /v1/sessions` (log in) and `DELETE /v1/sessions` (log out of the bearer token's session).
struct SessionsController: Sendable {
    let services: AccountServices
    let metrics: DarkroomMetrics

    func addRoutes(to router: Router<APIRequestContext>) {
        router.post("/v1/sessions") { request, context in
            try await self.logIn(request, context: context)
        }
        router.group("/v1/sessions")
            .add(middleware: SessionAuthenticator(services: services))
            .delete { _, context in
                let user = try context.requireUser()
                try await self.services.sessions.revoke(user.token, logger: context.logger)
                return Response(status: .noContent)
            }
    }

    static let invalidCredentials = APIError(.unauthorized, "invalid username or password")

    func logIn(_ request: Request, context: APIRequestContext) async throws -> EditedResponse<SessionResponse> {
        let body = try await JSONRequestBody.decode(LoginRequest.self, from: request, limit: LoginRequest.bodyLimit)
        // Before any bcrypt: guessing one account's password, or many accounts' from one address, is what these stop.
        let address = services.rateLimits.clientAddress(request, context: context)
        // Names that cannot be accounts share one allowance: they all fail anyway, and the key stays short.
        let account = AccountRules.loginUsername(body.username) ?? "-invalid"
        try await services.rateLimits.check([(kind: .loginIP, key: address), (kind: .loginAccount, key: account)], logger: context.logger)
        let record: UserRecord?
        if let username = AccountRules.loginUsername(body.username) {
            record = try await services.users.user(username: username, logger: context.logger)
        } else {
            record = nil
        }
        // Unknown users cost a bcrypt verify too, so response time does not reveal which names exist.
        guard let record else {
            try await services.passwordHasher.verifyAgainstDummy(body.password)
            throw Self.invalidCredentials
        }
        guard try await services.passwordHasher.verify(body.password, hash: record.passwordHash) else {
            throw Self.invalidCredentials
        }
        let token = SessionToken.random()
        try await services.sessions.create(token, userID: record.id, ttl: services.sessionTTL, logger: context.logger)
        metrics.sessionsCreated.increment()
        context.logger.info("session created", metadata: ["user.id": "\(record.id)"])
        let expiresAt = Date().addingTimeInterval(TimeInterval(services.sessionTTL.components.seconds))
        return EditedResponse(status: .created, response: SessionResponse(token: token.value, expiresAt: expiresAt, user: UserResponse(record)))
    }
}
