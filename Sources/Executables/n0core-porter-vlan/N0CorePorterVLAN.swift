import ArgumentParser
import Broker
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
        let publisher = try daemon.makePublisher()
        try await daemon.run([publisher])
    }
}
