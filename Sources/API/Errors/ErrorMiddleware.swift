import Hummingbird
import Logging

/// Turns every error thrown below it (routes, the router's not-found) into the JSON error answer. Internal errors are
/// logged here, once, in full; the client only sees `internal_error`.
public struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let (apiError, isInternal) = ErrorMapping.apiError(for: error)
            if isInternal {
                context.logger.error("request failed", metadata: [
                    "error": "\(String(reflecting: error))",
                    "http.route": "\(context.endpointPath ?? "unknown")",
                ])
            } else if apiError.code == .unavailable {
                context.logger.warning("dependency unavailable", metadata: ["error": "\(String(reflecting: error))"])
            }
            return ErrorResponse.response(for: apiError)
        }
    }
}
