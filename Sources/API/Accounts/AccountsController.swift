import Hummingbird
import Logging
import Prometheus
import Runtime
import Storage

/// `POST /v1/users` (sign up), `GET /v1/users/{id}`, `GET /v1/me`.
struct AccountsController: Sendable {
    let services: AccountServices
    let metrics: DarkroomMetrics

    func addRoutes(to router: Router<APIRequestContext>) {
        router.post("/v1/users") { request, context in
            try await self.signUp(request, context: context)
        }
        router.get("/v1/users/{id}") { _, context in
            try await self.user(idString: context.parameters.get("id") ?? "", context: context)
        }
        router.group("/v1/me")
            .add(middleware: SessionAuthenticator(services: services))
            .get { _, context in
                let user = try context.requireUser()
                // The session outlived its account (deleted, or its shard restored from an older backup).
                guard let record = try await self.services.users.user(id: user.id, logger: context.logger) else {
                    throw APIError(.unauthorized, "the session's account no longer exists")
                }
                return UserResponse(record)
            }
    }

    func signUp(_ request: Request, context: APIRequestContext) async throws -> EditedResponse<UserResponse> {
        let body = try await JSONRequestBody.decode(SignupRequest.self, from: request, limit: SignupRequest.bodyLimit)
        let username = try AccountRules.normalisedUsername(body.username)
        try AccountRules.validatePassword(body.password)
        let displayName = try AccountRules.normalisedDisplayName(body.displayName)
        let address = services.rateLimits.clientAddress(request, context: context)
        try await services.rateLimits.check([(kind: .signupIP, key: address)], logger: context.logger)
        let hash = try await services.passwordHasher.hash(body.password)
        let record: UserRecord
        do {
            record = try await services.users.create(NewUser(username: username, displayName: displayName, passwordHash: hash), logger: context.logger)
        } catch let error as StorageError where error.code == .alreadyExists {
            throw APIError(.usernameTaken, "username '\(username)' is taken", field: "username")
        }
        metrics.signups.increment()
        context.logger.info("signed up", metadata: ["user.id": "\(record.id)"])
        return EditedResponse(status: .created, response: UserResponse(record))
    }

    func user(idString: String, context: APIRequestContext) async throws -> UserResponse {
        // Malformed and unknown ids answer alike: both are simply nobody.
        guard let id = ShardedID(path: idString),
              let record = try await services.users.user(id: id, logger: context.logger)
        else { throw APIError(.notFound, "no such user") }
        return UserResponse(record)
    }
}
