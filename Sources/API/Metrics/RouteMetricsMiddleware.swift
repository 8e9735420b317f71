import Hummingbird

/// Counts requests and times them by route template. Sits above the error middleware, so it sees the final status.
public struct RouteMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    public let metrics: DarkroomMetrics

    public init(metrics: DarkroomMetrics) {
        self.metrics = metrics
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        do {
            let response = try await next(request, context)
            record(request, context, status: response.status.code, since: start)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            record(request, context, status: status, since: start)
            throw error
        }
    }

    private func record(_ request: Request, _ context: Context, status: Int, since start: ContinuousClock.Instant) {
        // Unmatched paths share one label value ("NotFound", as Hummingbird names them): a scanner must not be able to grow the label set.
        let route = context.endpointPath ?? "NotFound"
        metrics.recordRequest(route: route, method: request.method.rawValue, status: status, duration: ContinuousClock.now - start)
    }
}
