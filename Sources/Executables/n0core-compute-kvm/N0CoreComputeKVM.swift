import ArgumentParser
import Broker
import ComputeKVM
import ServiceSupport

/// `n0core-compute-kvm`: the compute agent; runs VMs through libvirt.
@main
struct N0CoreComputeKVM: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "n0core-compute-kvm",
        abstract: "The n0core compute agent; runs VMs through libvirt.",
        discussion: "Settings come from --config and N0CORE_* environment variables; see docs/configuration.md."
    )

    @Option(help: "A YAML configuration file.")
    var config: String?

    func run() async throws {
        let daemon = try await Daemon.bootstrap(name: "n0core-compute-kvm", configFile: config)
        let publisher = try daemon.makePublisher()
        try await daemon.run([publisher])
    }
}
