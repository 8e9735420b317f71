import Runtime
import Hummingbird
import Logging
import ServiceLifecycle

/// Builds the HTTP application. `darkroom serve` and the tests both call it, so what is tested is what runs.
///
/// `accounts` nil serves only health and metrics (for tests of those alone); `social` adds the follow graph, feed,
/// likes, comments, activity and tag routes. `metrics` holds the registry that
/// `/metrics` renders: `serve` passes the one it bootstrapped swift-metrics with, tests a fresh one.
public func buildApplication(
    configuration: DarkroomConfiguration,
    readinessChecks: [any ReadinessCheck],
    logger: Logger,
    accounts: AccountServices? = nil,
    media: MediaServices? = nil,
    metrics: DarkroomMetrics = DarkroomMetrics(),
    social: SocialServices? = nil
) -> some ApplicationProtocol {
    let router = buildRouter(readinessChecks: readinessChecks, accounts: accounts, media: media, metrics: metrics, social: social)
    return Application(
        router: router,
        server: .darkroom(configuration.http, logger: logger),
        configuration: .init(
            address: .hostname(configuration.http.host, port: configuration.http.port),
            serverName: "darkroom"
        ),
        logger: logger
    )
}

/// The routes and middleware, apart from the server, so unit tests can drive them with `.router`.
public func buildRouter(
    readinessChecks: [any ReadinessCheck],
    accounts: AccountServices?,
    media: MediaServices? = nil,
    metrics: DarkroomMetrics,
    social: SocialServices? = nil
) -> Router<APIRequestContext> {
    let router = Router(context: APIRequestContext.self)
    router.addMiddleware {
        RequestIDMiddleware()
        LogRequestsMiddleware(.info)
        // Above the error middleware: it records the status the client actually got.
        RouteMetricsMiddleware(metrics: metrics)
        SecurityHeadersMiddleware()
        ErrorMiddleware()
        CanonicalPathMiddleware()
    }
    HealthController(checks: readinessChecks).addRoutes(to: router)
    MetricsController(metrics: metrics).addRoutes(to: router)
    if let accounts {
        AccountsController(services: accounts, metrics: metrics).addRoutes(to: router)
        SessionsController(services: accounts, metrics: metrics).addRoutes(to: router)
        if let media {
            MediaController(services: media, accounts: accounts).addRoutes(to: router)
            OriginController(services: media).addRoutes(to: router)
        }
        // Social routes need sessions, so they come only with accounts.
        if let social {
            FollowController(services: social, accounts: accounts).addRoutes(to: router)
            FeedController(services: social, accounts: accounts).addRoutes(to: router)
            LikesController(services: social, accounts: accounts).addRoutes(to: router)
            CommentsController(services: social, accounts: accounts).addRoutes(to: router)
            ActivityController(services: social, accounts: accounts).addRoutes(to: router)
            TagsController(services: social, accounts: accounts).addRoutes(to: router)
        }
    }
    return router
}
