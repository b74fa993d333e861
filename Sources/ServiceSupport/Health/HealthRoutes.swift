import Prometheus

/// `/healthz` (the process answers), `/readyz` (its dependencies answer) and `/metrics`
/// (Prometheus text), independent of any HTTP server: the API mounts them on its Hummingbird
/// router, and the other daemons serve them on `health.listen` through ``HealthServer``, so
/// agents link no web framework.
public struct HealthRoutes: Sendable {
    /// One endpoint's answer.
    public struct Response: Sendable, Equatable {
        public var status: Int
        public var contentType: String
        public var body: [UInt8]
    }

    /// The paths served, without their leading slash.
    public static let paths = ["healthz", "readyz", "metrics"]

    public let readiness: Readiness
    public let metrics: PrometheusCollectorRegistry

    public init(readiness: Readiness, metrics: PrometheusCollectorRegistry) {
        self.readiness = readiness
        self.metrics = metrics
    }

    /// The answer for `path` (e.g. `readyz`), or nil when it is not one of ``paths``.
    public func respond(to path: String) async -> Response? {
        switch path {
        case "healthz":
            return Response(status: 200, contentType: "text/plain; charset=utf-8", body: Array("ok\n".utf8))
        case "readyz":
            let report = await readiness.report()
            let ready = report.values.allSatisfy { $0 }
            let lines = report.keys.sorted().map { "\($0): \(report[$0]! ? "ok" : "down")\n" }
            let text = (ready ? "ready\n" : "not ready\n") + lines.joined()
            return Response(status: ready ? 200 : 503, contentType: "text/plain; charset=utf-8", body: Array(text.utf8))
        case "metrics":
            var buffer: [UInt8] = []
            metrics.emit(into: &buffer)
            return Response(status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8", body: buffer)
        default:
            return nil
        }
    }
}
