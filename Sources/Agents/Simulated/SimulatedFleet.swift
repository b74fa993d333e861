import AgentRuntime
import Broker
import Clients
import Foundation
import Messages
import ServiceLifecycle
import ServiceSupport

/// Many simulated hypervisors in one process, for scale benchmarks: every planned agent runs
/// the real ``AgentRuntime`` (own id, own queue and consumer connection, heartbeats, `Notify`
/// messages) around a ``SimulatedDriver``.
///
/// The agents share a few publisher connections (``publishers``) instead of opening one each:
/// the broker library spends a thread per connection, and 300 agents with two connections each
/// would spend 600. Sharing is safe because a publisher serves any number of callers and the
/// runtime asks nothing else of it. Each agent still has its own consumer (one thread each).
public struct SimulatedFleet {
    public let plans: [SimulatedAgentPlan]
    public let drivers: [SimulatedDriver]
    /// Publishers first, then consumers, then runtimes: the order a `ServiceGroup` starts them
    /// in (and stops them in reverse), as ``Daemon/runAgent(_:)`` does for one agent.
    public let services: [any Service]

    /// - Parameters:
    ///   - publishers: publisher connections shared by the agents (agent i uses i mod n).
    ///   - startInterval: agent i connects after i × this (see `StaggeredStart`).
    ///   - applyDelay: how long each apply takes (see ``SimulatedDriver/applyDelay``); with a
    ///     delay, applies under way are marked in `applying/` of the agent's state directory.
    public init(daemon: Daemon, plans: [SimulatedAgentPlan], capacity: SimulatedCapacity, publishers: Int,
                startInterval: Duration = .milliseconds(20), applyDelay: Duration = .zero) throws {
        let broker = try daemon.brokerConfiguration()
        // Like a real agent's publisher, it declares the conductor's queue; each agent's own
        // queue is declared by its consumer. (Declaring all 300 quorum queues on every shared
        // publisher as well costs minutes on a small broker at start.)
        let topology = ConductorClient.topology
        let shared = (0..<max(1, publishers)).map { index in
            var configuration = broker
            configuration.connectionName = "\(broker.connectionName) \(index)"
            let publisher = Publisher(configuration: configuration, topology: topology, logger: daemon.logger)
            daemon.readiness.add("broker publisher \(index)") { publisher.isConnected }
            return publisher
        }
        var consumers: [any Service] = []
        var runtimes: [any Service] = []
        var drivers: [SimulatedDriver] = []
        for (index, plan) in plans.enumerated() {
            var agent = try AgentConfiguration(reader: daemon.configuration.reader, agentType: plan.agentType,
                                               prefetch: Int(broker.prefetch))
            agent.agentID = plan.agentID
            agent.hostID = plan.hostID
            agent.stateDirectory = plan.stateDirectory
            let identity = try AgentIdentity.load(configuredAgentID: plan.agentID, configuredHostID: plan.hostID,
                                                  stateDirectory: plan.stateDirectory)
            let publisher = shared[index % shared.count]
            let consumer = try daemon.makeConsumer(queue: AgentClient.queue(plan.agentID), publisher: publisher)
            let driver = SimulatedDriver(agentType: plan.agentType, capacity: capacity, applyDelay: applyDelay,
                                         applyingDirectory: "\(plan.stateDirectory)/applying",
                                         restoring: try HeldObjects.objects(inStateDirectory: plan.stateDirectory,
                                                                            logger: daemon.logger))
            let runtime = try AgentRuntime(driver: driver, identity: identity, configuration: agent,
                                           consumer: consumer, publisher: publisher, logger: daemon.logger)
            let delay = startInterval * index
            consumers.append(StaggeredStart(service: consumer, delay: delay))
            runtimes.append(StaggeredStart(service: runtime, delay: delay))
            drivers.append(driver)
        }
        self.plans = plans
        self.drivers = drivers
        services = shared + consumers + runtimes
    }
}
