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
        try await daemon.runAgent(PendingPorterDriver())
    }
}

/// Joins and heartbeats (porters report no capacity), but refuses every network and NIC until
/// the bridge driver (`Sources/Agents/PorterVLAN`) replaces it.
struct PendingPorterDriver: AgentDriver {
    let agentType = ObjectType.agentPorterVLAN

    func apply(_ object: Object) async throws -> ApplyOutcome {
        throw AgentFailure("this porter agent cannot make networks or NICs yet (its bridge driver is not implemented)")
    }

    func capacity() async throws -> Capacity? { nil }

    func inventory() async throws -> [Object] { [] }
}
