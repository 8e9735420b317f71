import Hummingbird

/// 404 for a path with an empty segment (`/m/1//w1080.jpg`, `//v1/media/1`, `/v1/media/1/`). The router skips
/// empty segments, so without this one resource would answer at many URLs, each its own CDN cache entry. Ids in
/// paths are held to their one spelling by `ShardedID(path:)`.
public struct CanonicalPathMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard path == "/" || (!path.contains("//") && !path.hasSuffix("/")) else {
            throw APIError(.notFound, "no such resource")
        }
        return try await next(request, context)
    }
}
