import ArgumentParser
import Broker
import Clients
import Scheduler
import ServiceDatabase
import ServiceSupport

/// `n0core-scheduler`: places every object of a spec on an alive agent and sends each agent
/// its `Request`s (through the outbox, so they leave exactly when the placement commits).
@main
struct N0CoreScheduler: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "n0core-scheduler",
        abstract: "The n0core scheduler: places every object of a spec on an alive agent.",
        discussion: "Settings come from --config and N0CORE_* environment variables; see docs/configuration.md."
    )

    @Option(help: "A YAML configuration file.")
    var config: String?

    func run() async throws {
        let daemon = try await Daemon.bootstrap(name: "n0core-scheduler", configFile: config)
        let settings = try SchedulerSettings(daemon.configuration)
        let database = try daemon.makeDatabase()
        let publisher = try daemon.makePublisher(topology: SchedulerClient.topology)
        let consumer = try daemon.makeConsumer(queue: SchedulerClient.queue, publisher: publisher)
        daemon.logger.info("scheduling", metadata: [
            "agent_timeout_seconds": "\(settings.agentTimeoutSeconds)", "concurrency": "\(settings.concurrency)",
            "batch_size": "\(settings.batchSize)",
        ])
        try await daemon.run([
            database, publisher, consumer,
            OutboxRelay(store: database.store, publisher: publisher, logger: daemon.logger),
            SchedulerService(consumer: consumer, store: database.store, settings: settings, logger: daemon.logger),
        ])
    }
}
