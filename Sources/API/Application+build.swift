import Hummingbird
import Logging
import ServiceLifecycle

/// Builds the HTTP application. `darkroom serve` and the tests both call it, so what is tested is what runs.
public func buildApplication(
    configuration: DarkroomConfiguration,
    readinessChecks: [any ReadinessCheck],
    logger: Logger
) -> some ApplicationProtocol {
    let router = Router(context: APIRequestContext.self)
    router.addMiddleware {
        RequestIDMiddleware()
        LogRequestsMiddleware(.info)
    }
    HealthController(checks: readinessChecks).addRoutes(to: router)
    return Application(
        router: router,
        configuration: .init(
            address: .hostname(configuration.http.host, port: configuration.http.port),
            serverName: "darkroom"
        ),
        logger: logger
    )
}
