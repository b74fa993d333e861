import ArgumentParser
import Broker
import Clients
import Conductor
import ServiceSupport

/// `n0core-conductor`: the conductor: records results into the resource graph.
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
        let database = try daemon.makeDatabase()
        let publisher = try daemon.makePublisher(topology: ConductorClient.topology)
        try await daemon.run([database, publisher])
    }
}
