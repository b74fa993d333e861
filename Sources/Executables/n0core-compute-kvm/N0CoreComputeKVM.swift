import AgentRuntime
import ArgumentParser
import ComputeKVM
import Messages
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
        let reader = daemon.configuration.reader
        let agent = try AgentConfiguration(reader: reader, agentType: .agentComputeKVM, prefetch: 1)
        let compute = try ComputeKVMConfiguration(reader: reader, stateDirectory: agent.stateDirectory)
        daemon.logger.info("compute settings", metadata: [
            "libvirt.uri": "\(compute.libvirtURI)", "virt_type": "\(compute.virtType.rawValue)",
            "vnc_listen": "\(compute.vncListen)",
        ])
        // One connection for the whole process: an embedded driver reaps its guests only while
        // its connection is open.
        let hypervisor = LibvirtHypervisor(uri: compute.libvirtURI, logger: daemon.logger)
        defer { hypervisor.close() }
        daemon.readiness.add("libvirt") { await hypervisor.isConnected() }
        try await daemon.runAgent(ComputeKVMDriver(configuration: compute, hypervisor: hypervisor, logger: daemon.logger))
    }
}
