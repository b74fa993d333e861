import Broker
import Clients
import Messages
import ServiceLifecycle
import ServiceSupport

extension Daemon {
    /// Runs an agent with `driver` until SIGTERM: reads ``AgentConfiguration`` and the identity,
    /// then runs the publisher (declaring the conductor's queue and the agent's own), the
    /// consumer of the agent's own queue, and the ``AgentRuntime``, then `services` beside it
    /// (a volumer's export server), stopped before it.
    public func runAgent(_ driver: any AgentDriver, services: [any Service] = []) async throws {
        let broker = try brokerConfiguration()
        let agent = try AgentConfiguration(reader: configuration.reader, agentType: driver.agentType,
                                           prefetch: Int(broker.prefetch))
        let identity = try AgentIdentity.load(configuredAgentID: agent.agentID, configuredHostID: agent.hostID,
                                              stateDirectory: agent.stateDirectory)
        logger.info("agent identity", metadata: [
            "agent_type": "\(driver.agentType.rawValue)", "agent_id": "\(identity.agentID)",
            "host_id": "\(identity.hostID)", "state_dir": "\(agent.stateDirectory)",
        ])
        let queue = AgentClient.queue(identity.agentID)
        let publisher = try makePublisher(topology: ConductorClient.topology.declaringQueue(queue))
        let consumer = try makeConsumer(queue: queue, publisher: publisher)
        let runtime = try AgentRuntime(driver: driver, identity: identity, configuration: agent,
                                       consumer: consumer, publisher: publisher, logger: logger)
        try await run([publisher, consumer, runtime] + services)
    }
}
