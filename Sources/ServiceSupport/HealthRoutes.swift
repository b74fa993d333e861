import Foundation
import Hummingbird
import Prometheus

/// `/healthz` (the process answers), `/readyz` (its dependencies answer) and `/metrics`
/// (Prometheus text). The API mounts them on its own router; other daemons serve them on
/// `health.listen` through `HealthServer`.
public struct HealthRoutes: Sendable {
    public let readiness: Readiness
    public let metrics: PrometheusCollectorRegistry

    public init(readiness: Readiness, metrics: PrometheusCollectorRegistry) {
        self.readiness = readiness
        self.metrics = metrics
    }

    public func add<Context: RequestContext>(to router: Router<Context>) {
        router.get("healthz") { _, _ in "ok\n" }
        router.get("readyz") { _, _ -> Response in
            let report = await readiness.report()
            let ready = report.values.allSatisfy { $0 }
            let lines = report.keys.sorted().map { "\($0): \(report[$0]! ? "ok" : "down")" }
            return Response(
                status: ready ? .ok : .serviceUnavailable,
                headers: [.contentType: "text/plain; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: (ready ? "ready\n" : "not ready\n") + lines.joined(separator: "\n") + "\n"))
            )
        }
        router.get("metrics") { _, _ -> Response in
            var buffer: [UInt8] = []
            metrics.emit(into: &buffer)
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: buffer))
            )
        }
    }
}
