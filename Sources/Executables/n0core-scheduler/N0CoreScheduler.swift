import ArgumentParser
import Broker
import Clients
import ServiceSupport

/// `n0core-scheduler`: the scheduler: places every object of a spec on an alive agent.
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
        let database = try daemon.makeDatabase()
        let publisher = try daemon.makePublisher(topology: SchedulerClient.topology)
        try await daemon.run([database, publisher])
    }
}
