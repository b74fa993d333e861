import AgentRuntime
import ArgumentParser
import Broker
import Messages
import PorterVLAN
import ServiceSupport

/// `n0core-porter-vlan`: the network agent; runs bridges with DHCP and NICs.
@main
struct N0CorePorterVLAN: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "n0core-porter-vlan",
        abstract: "The n0core network agent; runs bridges with DHCP and NICs.",
        discussion: "Settings come from --config and N0CORE_* environment variables; see docs/configuration.md."
    )

    @Option(help: "A YAML configuration file.")
    var config: String?

    func run() async throws {
        let daemon = try await Daemon.bootstrap(name: "n0core-porter-vlan", configFile: config)
        let reader = daemon.configuration.reader
        // Only the state directory is needed here; runAgent reads the rest of the agent's keys.
        let agent = try AgentConfiguration(reader: reader, agentType: .agentPorterVLAN, prefetch: 1)
        let driver = PorterVLANDriver(
            configuration: try PorterVLANConfiguration(reader: reader, stateDirectory: agent.stateDirectory),
            runner: ProcessCommandRunner(logger: daemon.logger),
            logger: daemon.logger)
        try await daemon.runAgent(driver)
    }
}
