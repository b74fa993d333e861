import API
import Clients
import ArgumentParser
import ServiceDatabase
import ServiceSupport

/// `n0core-api`: the HTTP API. Validates and stores specs, hands them to the scheduler through
/// the outbox, answers graph queries, and relays VMs' serial logs from their compute agents.
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
        // Consoles: requests to the compute agents, replies on this process's own queue.
        let console = ConsoleRequester(configuration: try daemon.brokerConfiguration(), publisher: publisher, logger: daemon.logger)
        let specChanges = SpecChangeHub(store: database.store, maxStreams: settings.eventStreams.maxStreams, logger: daemon.logger)
        let application = APIServer.makeApplication(
            configuration: settings, store: database.store,
            health: HealthRoutes(readiness: daemon.readiness, metrics: daemon.metrics), console: console,
            specChanges: specChanges, logger: daemon.logger)
        daemon.logger.info("listening", metadata: ["address": "\(settings.listen)", "console_reply_key": "\(console.replyKey)"])
        try await daemon.run([
            database, publisher, console.consumer, console,
            OutboxRelay(store: database.store, publisher: publisher, logger: daemon.logger),
            specChanges, application,
        ])
    }
}
