import Clients
import Hummingbird
import Logging
import Scheduler
import ServiceSupport
import Store

/// The HTTP application of `n0core-api`: `/api/…` behind bearer tokens; `/healthz`, `/readyz`,
/// `/metrics` and the web view's files at `/ui/` open on the same address.
public enum APIServer {
    /// - Parameters:
    ///   - console: reads serial logs through the agents (``Clients/ConsoleRequester``); without
    ///     one, the console route answers 503.
    ///   - specChanges: wakes event streams (run it beside the application); without one,
    ///     `Accept: text/event-stream` answers 503.
    public static func makeApplication(
        configuration: APIConfiguration, store: Store, health: HealthRoutes, console: (any ConsoleFetching)? = nil,
        specChanges: SpecChangeHub? = nil, logger: Logger
    ) -> some ApplicationProtocol {
        Application(
            router: makeRouter(configuration: configuration, store: store, health: health, console: console,
                               specChanges: specChanges, logger: logger),
            configuration: .init(address: .hostname(configuration.listen.host, port: configuration.listen.port),
                                 serverName: "n0core-api"),
            logger: logger
        )
    }

    /// Every route; separate from the application so tests can list the routes.
    public static func makeRouter(
        configuration: APIConfiguration, store: Store, health: HealthRoutes, console: (any ConsoleFetching)? = nil,
        specChanges: SpecChangeHub? = nil, logger: Logger
    ) -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: LogRequestsMiddleware(.info))
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: ErrorMiddleware(maxBodyBytes: configuration.maxBodyBytes))
        health.add(to: router)
        let api = router.group("api").add(middleware: BearerTokenMiddleware(tokens: configuration.tokens))
        api.get("openapi.yaml") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.yaml)))
        }
        let database = DatabaseGuard(store: store, timeout: configuration.databaseTimeout, logger: logger)
        SpecController(service: SpecService(store: store, limits: configuration.limits, logger: logger),
                       documentLimits: configuration.documentLimits, database: database,
                       previewer: PlacementPreviewer(store: store, logger: logger)).addRoutes(to: api)
        EventController(store: store, database: database, hub: specChanges, settings: configuration.eventStreams).addRoutes(to: api)
        GraphController(store: store, database: database).addRoutes(to: api)
        AgentController(store: store, database: database).addRoutes(to: api)
        HostController(store: store, database: database).addRoutes(to: api)
        ConsoleController(store: store, database: database, console: console, settings: configuration.console).addRoutes(to: api)
        // Last, so that they wrap only the not-found answer: the web view's files (no route
        // serves /ui), and a path served under other methods.
        router.add(middleware: WebViewMiddleware(directory: configuration.uiDirectory, logger: logger))
        router.add(middleware: MethodNotAllowedMiddleware(routes: router.routes))
        return router
    }
}
