import API
import Logging
import Prometheus
import ServiceSupport
import Store

/// The `/api/` routes the router serves, as `METHOD /path/{param}` (OpenAPI's spelling).
enum APIRouteList {
    static func routes(_ store: Store) -> Set<String> {
        let router = APIServer.makeRouter(
            configuration: APIConfiguration(listen: ListenAddress(host: "127.0.0.1", port: 0), tokens: ["x"]),
            store: store, health: HealthRoutes(readiness: Readiness(), metrics: PrometheusCollectorRegistry()),
            logger: Logger(label: "routes"))
        return Set(router.routes.map { "\($0.method) \($0.path)" }.filter { $0.contains(" /api/") })
    }
}
