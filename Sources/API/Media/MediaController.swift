import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Pipeline
import Runtime
import S3
import Storage

/// `POST /v1/media`, `GET /v1/media/{id}`, `DELETE /v1/media/{id}`, `GET /v1/media/{id}/original`,
/// `GET /v1/users/{id}/media`.
struct MediaController: Sendable {
    let services: MediaServices
    let accounts: AccountServices

    func addRoutes(to router: Router<APIRequestContext>) {
        let authenticated = router.group().add(middleware: SessionAuthenticator(services: accounts))
        authenticated.post("/v1/media") { request, context in
            try await self.upload(request, context: context)
        }
        authenticated.delete("/v1/media/{id}") { _, context in
            try await self.delete(idString: context.parameters.get("id") ?? "", context: context)
        }
        authenticated.get("/v1/media/{id}/original") { _, context in
            try await self.original(idString: context.parameters.get("id") ?? "", context: context)
        }
        // Public reads; a session, when sent, shows the owner their own private fields.
        let viewer = router.group().add(middleware: SessionAuthenticator(services: accounts, required: false))
        viewer.get("/v1/media/{id}") { _, context in
            try await self.media(idString: context.parameters.get("id") ?? "", context: context)
        }
        viewer.get("/v1/users/{id}/media") { request, context in
            try await self.userMedia(idString: context.parameters.get("id") ?? "", request: request, context: context)
        }
    }

    // MARK: - Upload

    /// Runs while the client is there: a disconnect (mid-body or while the photo is processed) cancels the upload,
    /// which frees its budget at once and is logged and counted as `cancelled`, not answered as a failure.
    func upload(_ request: Request, context: APIRequestContext) async throws -> Response {
        let user = try context.requireUser()
        try await accounts.rateLimits.check(.upload, user: user.id, logger: context.logger)
        do {
            return try await ClientDisconnect.cancelling(on: context.channel) {
                try await self.upload(request, user: user, context: context).response(from: request, context: context)
            }
        } catch where UploadPipeline.isCancellation(error) {
            services.pipeline.metrics.recordOutcome("cancelled")
            context.logger.notice("client disconnected mid-upload; upload cancelled", metadata: ["error": "\(String(reflecting: error))"])
            throw APIError(.clientClosedRequest, "the client closed the connection")
        }
    }

    private func upload(_ request: Request, user: AuthenticatedUser, context: APIRequestContext) async throws -> EditedResponse<MediaResponse> {
        let form = try await UploadForm.read(request, maxBytes: services.maxUploadBytes)
        let given = try Self.field("lat") { () throws(PipelineError) in
            try UploadRules.location(latitude: form.fields["lat"], longitude: form.fields["lng"])
        }
        let uploadRequest = UploadRequest(
            owner: user.id,
            bytes: form.photo,
            caption: try Self.field("caption") { () throws(PipelineError) in try UploadRules.validateCaption(form.fields["caption"] ?? "") },
            filter: try Self.field("filter") { () throws(PipelineError) in try UploadRules.filter(form.fields["filter"]) },
            location: try Self.field("location") { () throws(PipelineError) in
                try UploadRules.publicLocation(given: given, location: form.fields["location"])
            },
            crosspost: try Self.field("crosspost") { () throws(PipelineError) in try UploadRules.crosspost(form.fields["crosspost"]) })
        let outcome = try await services.pipeline.upload(uploadRequest, logger: context.logger)
        let response = MediaResponse(outcome.media, viewer: user.id, cdnBaseURL: services.cdnBaseURL)
        var headers = HTTPFields()
        headers[.location] = "/v1/media/\(outcome.media.id)"
        switch outcome {
        case let .created(media, published):
            context.logger.info("uploaded", metadata: ["media.id": "\(media.id)", "outbox.published": "\(published)"])
            return EditedResponse(status: .created, headers: headers, response: response)
        case let .existing(media):
            context.logger.info("duplicate upload", metadata: ["media.id": "\(media.id)"])
            return EditedResponse(status: .ok, headers: headers, response: response)
        }
    }

    /// A form field that breaks its rule: 400 naming the field.
    static func field<T>(_ name: String, _ check: () throws(PipelineError) -> T) throws(APIError) -> T {
        do {
            return try check()
        } catch {
            throw APIError(.validationFailed, error.code == .unknownFilter ? "unknown filter" : error.message, field: name)
        }
    }

    // MARK: - Reads and delete

    func media(idString: String, context: APIRequestContext) async throws -> MediaResponse {
        guard let id = ShardedID(path: idString), let media = try await services.repository.media(id: id, logger: context.logger), !media.isDeleted else {
            throw APIError(.notFound, "no such media")
        }
        return MediaResponse(media, viewer: context.authenticatedUser?.id, cdnBaseURL: services.cdnBaseURL)
    }

    /// How long a link to an original works: long enough to start a download, short enough that a leaked link dies.
    static let originalLinkLifetime = Duration.seconds(300)

    /// Originals are never public: the owner gets a short-lived presigned URL; anyone else is told the media does
    /// not exist (404, not 403), so ids of other people's originals cannot be probed.
    func original(idString: String, context: APIRequestContext) async throws -> OriginalResponse {
        let user = try context.requireUser()
        guard let id = ShardedID(path: idString), let media = try await services.repository.media(id: id, logger: context.logger),
              !media.isDeleted, media.ownerID == user.id
        else { throw APIError(.notFound, "no such media") }
        let key = try ObjectKey(MediaKeys.original(mediaID: media.id, contentSHA256Hex: MediaKeys.hex(media.contentSHA256)))
        let url = try services.objectStore.presignedGetURL(for: key, expiresIn: Self.originalLinkLifetime)
        return OriginalResponse(url: url, expiresAt: Date().addingTimeInterval(TimeInterval(Self.originalLinkLifetime.components.seconds)))
    }

    func delete(idString: String, context: APIRequestContext) async throws -> Response {
        let user = try context.requireUser()
        guard let id = ShardedID(path: idString) else { throw APIError(.notFound, "no such media") }
        let outcome = try await services.repository.markDeleted(id: id, requester: user.id, logger: context.logger) { media in
            [try OutboxMessage(topic: .cleanup, encoding: MediaDeletedJob(mediaID: media.id, ownerID: media.ownerID, keys: MediaKeys.all(of: media)))]
        }
        switch outcome {
        case .notFound:
            throw APIError(.notFound, "no such media")
        case .forbidden:
            throw APIError(.forbidden, "only the owner may delete a media")
        case let .deleted(media, rows):
            _ = await services.publisher.publish(rows, logger: context.logger)
            context.logger.info("deleted media", metadata: ["media.id": "\(media.id)"])
            return Response(status: .noContent)
        }
    }

    func userMedia(idString: String, request: Request, context: APIRequestContext) async throws -> PageResponse<MediaResponse> {
        guard let owner = ShardedID(path: idString), try await accounts.users.user(id: owner, logger: context.logger) != nil else {
            throw APIError(.notFound, "no such user")
        }
        let page = try PageRequest(request)
        let media = try await services.repository.list(owner: owner, before: page.cursor, limit: page.limit, logger: context.logger)
        return PageResponse(
            "media", items: media.map { MediaResponse($0, viewer: context.authenticatedUser?.id, cdnBaseURL: services.cdnBaseURL) },
            nextCursor: media.count == page.limit ? media.last?.id.description : nil)
    }
}
