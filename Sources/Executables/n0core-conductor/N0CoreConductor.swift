import ArgumentParser
import Broker
import Clients
import Conductor
import ServiceDatabase
import ServiceSupport

/// `n0core-conductor`: records agents' results into the resource graph, marks spec versions
/// applied or failed, reschedules failures and tracks agent liveness.
@main
struct N0CoreConductor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "n0core-conductor",
        abstract: "The n0core conductor: records results into the resource graph.",
        discussion: "Settings come from --config and N0CORE_* environment variables; see docs/configuration.md."
    )

    @Option(help: "A YAML configuration file.")
    var config: String?

    func run() async throws {
        let daemon = try await Daemon.bootstrap(name: "n0core-conductor", configFile: config)
        let settings = try ConductorConfiguration(daemon.configuration)
        let database = try daemon.makeDatabase()
        // Rescheduling specs go to the scheduler's queue; declare it so none is unroutable.
        let publisher = try daemon.makePublisher(topology: SchedulerClient.topology)
        let consumer = try daemon.makeConsumer(queue: ConductorClient.queue, publisher: publisher)
        let store = database.store
        daemon.logger.info("conductor settings", metadata: [
            "max_attempts": "\(settings.maxAttempts)",
            "apply_deadline_seconds": "\(settings.applyDeadline.components.seconds)",
            "sweep_interval_seconds": "\(settings.sweepInterval.components.seconds)",
            "concurrency": "\(settings.concurrency)",
            "batch_size": "\(settings.batchSize)",
            "agent_user": "\(settings.agentSenders?.template ?? "(senders not checked)")",
        ])
        // Started in this order, shut down in reverse: the conductor stops taking deliveries
        // first and settles those in hand while the consumer, the database and the broker are up.
        let conductor = ConductorService(consumer: consumer, store: store, configuration: settings, logger: daemon.logger)
        let retention = try daemon.configuration.retention()
        try await daemon.run([
            database, publisher, consumer,
            OutboxRelay(store: store, publisher: publisher, logger: daemon.logger),
            ConductorSweeper(store: store, configuration: settings, hearing: conductor.hearing, gate: conductor.gate,
                             logger: daemon.logger),
            RetentionService(store: store, periods: retention.periods, interval: retention.interval, logger: daemon.logger),
            conductor,
        ])
    }
}
