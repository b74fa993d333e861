import AgentRuntime
import ArgumentParser
import Foundation
import Messages
import ServiceSupport
import SimulatedHypervisors

/// `n0core-simulated-hypervisors`: many pretend hypervisors in one process, for benchmarks.
///
/// Each simulated host runs the three agent kinds with the real agent runtime and messages;
/// only the driver is simulated (it records objects in memory). It creates nothing on the
/// machine. Not installed as a service and never started by default: `--hosts` must be given.
@main
struct N0CoreSimulatedHypervisors: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "n0core-simulated-hypervisors",
        abstract: "SIMULATED hypervisors for scale benchmarks: real agent runtimes, drivers that create nothing.",
        discussion: """
            Runs compute-kvm, volumer-file and porter-vlan agents for each of --hosts simulated hosts, with \
            deterministic ids (printed at start). Broker settings and agent.* keys (heartbeat, timeouts) come \
            from --config and N0CORE_* variables like any agent's; agent.id, host.id and agent.state_dir are \
            set per agent. See docs/performance.md.
            """
    )

    @Option(help: "A YAML configuration file.")
    var config: String?

    @Option(help: "How many hosts to simulate (three agents each). Required: simulation is opt-in.")
    var hosts: Int

    @Option(help: "Index of the first simulated host (to split a fleet over several processes).")
    var firstHost = 0

    @Option(help: "Directory under which each agent keeps its state (host-N/KIND).")
    var stateRoot = "/var/lib/n0core-simulated"

    @Option(help: "Publisher connections the agents share.")
    var publishers = 4

    @Option(help: "vcpus each simulated compute agent reports.")
    var vcpus = 64

    @Option(help: "Memory each simulated compute agent reports.")
    var memory = "256gb"

    @Option(help: "Disk each simulated volume agent reports.")
    var disk = "10tb"

    @Option(help: "Milliseconds between two agents' starts, so the broker is not swamped by hundreds of logins at once.")
    var startIntervalMs = 20

    @Option(help: "Milliseconds each apply takes (0: at once). With a delay, applies under way leave a marker file in the agent's applying/ folder, so a fault-injection run can kill the process in the middle of one.")
    var applyDelayMs = 0

    @Flag(help: "Do not print the agents' ids at start.")
    var quiet = false

    func validate() throws {
        guard hosts > 0 else { throw ValidationError("--hosts must be at least 1") }
        guard firstHost >= 0 else { throw ValidationError("--first-host must not be negative") }
        guard publishers > 0 else { throw ValidationError("--publishers must be at least 1") }
        guard startIntervalMs >= 0 else { throw ValidationError("--start-interval-ms must not be negative") }
        guard applyDelayMs >= 0 else { throw ValidationError("--apply-delay-ms must not be negative") }
        guard vcpus > 0 else { throw ValidationError("--vcpus must be at least 1") }
        guard Size(memory) != nil else { throw ValidationError("--memory \(memory): expected a size such as 256gb") }
        guard Size(disk) != nil else { throw ValidationError("--disk \(disk): expected a size such as 10tb") }
    }

    func run() async throws {
        let daemon = try await Daemon.bootstrap(name: "n0core-simulated-hypervisors", configFile: config)
        let plans = SimulatedAgentPlan.fleet(hosts: hosts, firstHost: firstHost, stateRoot: stateRoot)
        daemon.logger.warning("SIMULATED hypervisors: agents record resources in memory and create nothing on this machine; for benchmarks only", metadata: [
            "hosts": "\(hosts)", "agents": "\(plans.count)", "publishers": "\(publishers)", "state_root": "\(stateRoot)",
        ])
        if !quiet {
            // Unbuffered, so a script reading the ids finds them while the process runs.
            let lines = Dictionary(grouping: plans, by: \.hostIndex).sorted(by: { $0.key < $1.key }).map { host in
                let agents = host.value.map { "\($0.agentType.agentKind)=\($0.agentID)" }.joined(separator: " ")
                return "host \(host.key) \(host.value[0].hostID) \(agents)\n"
            }
            FileHandle.standardOutput.write(Data(lines.joined().utf8))
        }
        let capacity = SimulatedCapacity(vcpus: vcpus, memory: Size(memory)!, disk: Size(disk)!)
        let fleet = try SimulatedFleet(daemon: daemon, plans: plans, capacity: capacity, publishers: publishers,
                                       startInterval: .milliseconds(startIntervalMs),
                                       applyDelay: .milliseconds(applyDelayMs))
        try await daemon.run(fleet.services)
    }
}
