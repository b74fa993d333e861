import AgentRuntime
import ArgumentParser
import Broker
import ComputeKVM
import Foundation
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
        try await daemon.runAgent(PendingComputeDriver())
    }
}

/// Joins and heartbeats with this host's CPUs and memory, but refuses every VM until the
/// libvirt driver (`Sources/Agents/ComputeKVM`) replaces it.
struct PendingComputeDriver: AgentDriver {
    let agentType = ObjectType.agentComputeKVM

    func apply(_ object: Object) async throws -> ApplyOutcome {
        throw AgentFailure("this compute agent cannot run VMs yet (its libvirt driver is not implemented)")
    }

    func capacity() async throws -> Capacity? {
        let memory = ProcessInfo.processInfo.physicalMemory
        return Capacity(vcpus: ProcessInfo.processInfo.activeProcessorCount,
                        memory: Size(bytes: memory - memory % Size.Unit.mb.bytes))
    }

    func inventory() async throws -> [Object] { [] }
}
