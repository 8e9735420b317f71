import HTTPTypes
import Hummingbird
import NIOCore
import Prometheus

/// `GET /metrics`: the Prometheus text exposition format.
public struct MetricsController: Sendable {
    public let metrics: DarkroomMetrics

    public init(metrics: DarkroomMetrics) {
        self.metrics = metrics
    }

    public func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        router.get("/metrics") { _, _ in
            var buffer = ByteBuffer()
            buffer.writeBytes(self.metrics.registry.emitToBuffer())
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
                body: ResponseBody(byteBuffer: buffer)
            )
        }
    }
}
