import HTTPTypes
import Hummingbird

/// Puts `SecurityHeaders` on every answer of the router, error answers included (it sits above the error
/// middleware).
public struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        SecurityHeaders.apply(to: &response.headers)
        return response
    }
}

/// Headers every answer carries, JSON and renditions alike: `nosniff`, so a browser never runs a rendition or a JSON
/// body as something else; a content policy that forbids loading, running and framing anything, since no answer of
/// this service is a page; and no referrer leaking a rendition's URL.
enum SecurityHeaders {
    static let fields: HTTPFields = [
        .xContentTypeOptions: "nosniff",
        .contentSecurityPolicy: "default-src 'none'; frame-ancestors 'none'",
        .referrerPolicy: "no-referrer",
    ]

    static func apply(to headers: inout HTTPFields) {
        for field in fields { headers[field.name] = field.value }
    }
}

extension HTTPField.Name {
    static var xContentTypeOptions: Self { .init("X-Content-Type-Options")! }
    static var contentSecurityPolicy: Self { .init("Content-Security-Policy")! }
    static var referrerPolicy: Self { .init("Referrer-Policy")! }
}
