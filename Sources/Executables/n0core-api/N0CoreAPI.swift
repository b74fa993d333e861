import API
import Clients
import ArgumentParser
import ServiceDatabase
import ServiceSupport

/// `n0core-api`: the HTTP API. Validates and stores specs, hands them to the scheduler through
/// the outbox, answers graph queries.
@main
struct N0CoreAPI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "n0core-api",
        abstract: "The n0core HTTP API: specs in, resource graph out.",
        discussion: "Settings come from --config and N0CORE_* environment variables; see docs/configuration.md."
    )

    @Option(help: "A YAML configuration file.")
    var config: String?

    func run() async throws {
        let daemon = try await Daemon.bootstrap(name: "n0core-api", configFile: config)
        let settings = try APIConfiguration(daemon.configuration)
        let database = try daemon.makeDatabase()
        let publisher = try daemon.makePublisher(topology: SchedulerClient.topology)
        let application = APIServer.makeApplication(
            configuration: settings, store: database.store,
            health: HealthRoutes(readiness: daemon.readiness, metrics: daemon.metrics), logger: daemon.logger)
        daemon.logger.info("listening", metadata: ["address": "\(settings.listen)"])
        try await daemon.run([
            database, publisher,
            OutboxRelay(store: database.store, publisher: publisher, logger: daemon.logger),
            application,
        ])
    }
}
