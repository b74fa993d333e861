import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import UnixSignals

/// What every n0core executable does around its own service: read configuration, set up logging
/// and metrics once, then run its services in a `ServiceGroup` that shuts down gracefully on
/// SIGTERM (systemd's stop) or SIGINT (Ctrl-C), serving health endpoints when configured.
public struct Daemon: Sendable {
    /// The executable's name, e.g. `n0core-scheduler`; also the AMQP `app_id` it sends with.
    public let name: String
    public let configuration: ServiceConfiguration
    public let logger: Logger
    public let readiness = Readiness()
    public let metrics: PrometheusCollectorRegistry

    /// Loads configuration and bootstraps logging and metrics; call once, first thing in `main`.
    public static func bootstrap(name: String, configFile: String?) async throws -> Daemon {
        let configuration = try await ServiceConfiguration.load(file: configFile)
        LoggingSystem.bootstrapN0Core(level: try configuration.logLevel())
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory.n0core(registry: registry))
        return Daemon(name: name, configuration: configuration, logger: Logger(label: name), metrics: registry)
    }

    private init(name: String, configuration: ServiceConfiguration, logger: Logger, metrics: PrometheusCollectorRegistry) {
        self.name = name
        self.configuration = configuration
        self.logger = logger
        self.metrics = metrics
    }

    /// Runs `services` (in start order; shut down in reverse) until SIGTERM or SIGINT.
    public func run(_ services: [any Service]) async throws {
        var all = services
        if let address = try configuration.healthListenAddress() {
            all.append(healthServer(on: address))
        }
        let group = ServiceGroup(
            configuration: .init(
                services: all.map { .init(service: $0) },
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        logger.info("starting", metadata: ["services": "\(all.count)"])
        try await group.run()
        logger.info("stopped")
    }

    /// A small HTTP server with `/healthz`, `/readyz` and `/metrics` for daemons without an API.
    public func healthServer(on address: ListenAddress) -> HealthServer {
        HealthServer(address: address, routes: HealthRoutes(readiness: readiness, metrics: metrics),
                     serverName: name, logger: logger)
    }
}
