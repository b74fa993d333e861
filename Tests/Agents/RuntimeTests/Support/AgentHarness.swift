import AgentRuntime
import Broker
import Clients
import Foundation
import Logging
import Messages
import ServiceLifecycle
import Synchronization
import TestSupport
import Testing

/// A real broker around agents under test: a unique agent id (so a unique queue), a temporary
/// state directory, and the agent's messages for the conductor rerouted to a queue of this test
/// only, so tests neither feed a running conductor nor see its traffic. Use ``with(dependents:_:)``:
/// it deletes the queues and directories afterwards, whatever happens.
final class AgentHarness: Sendable {
    static let originalRoutingKeyHeader = "x-test-original-routing-key"

    let agentID = ObjectID()
    let hostID = ObjectID()
    let stateDirectory: String
    let conductorQueue: String
    /// Agents of dependents whose queues this test declares and reads.
    let dependentAgents: [ObjectID]
    let broker: BrokerConfiguration
    let logger: Logger
    let publisher: Publisher
    private let taps: [String: Tap]
    private let agents = Mutex<[RunningAgent]>([])
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    private init(dependents: Int, virtualHost: ScratchVirtualHost?) throws {
        var broker = try IntegrationEnvironment.brokerConfiguration(appID: "n0core-agent-test")
        if let virtualHost { broker.url = virtualHost.url }
        self.broker = broker
        var logger = Logger(label: "n0core.agent.tests")
        logger.logLevel = ProcessInfo.processInfo.environment["N0CORE_TEST_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .critical
        self.logger = logger
        stateDirectory = NSTemporaryDirectory() + "n0core-agent-test-\(UUID().uuidString.lowercased())"
        conductorQueue = IntegrationEnvironment.uniqueQueueName("test.conductor")
        dependentAgents = (0..<dependents).map { _ in ObjectID() }
        var topology = Topology().declaringQueue(AgentClient.queue(agentID)).declaringQueue(conductorQueue)
        for agent in dependentAgents { topology.declareQueue(AgentClient.queue(agent)) }
        publisher = Publisher(configuration: broker, topology: topology, logger: logger)
        var taps: [String: Tap] = [:]
        for queue in [conductorQueue] + dependentAgents.map(AgentClient.queue) {
            taps[queue] = Tap(consumer: Consumer(configuration: broker, queue: queue, deadLetterPublisher: publisher, logger: logger))
        }
        self.taps = taps
        group = ServiceGroup(services: [publisher] + taps.values.flatMap { [$0.consumer, $0] as [any Service] }, logger: logger)
        task = Task { [group] in try await group.run() }
    }

    /// Runs `body` with a harness, then cleans up. With `virtualHost` (for an agent run as its
    /// own process, which talks to the real `conductor` queue) everything happens there.
    static func with<Result: Sendable>(
        dependents: Int = 0, virtualHost: ScratchVirtualHost? = nil, _ body: (AgentHarness) async throws -> Result
    ) async throws -> Result {
        let harness = try AgentHarness(dependents: dependents, virtualHost: virtualHost)
        do {
            let result = try await body(harness)
            await harness.close()
            return result
        } catch {
            await harness.close()
            throw error
        }
    }

    private func close() async {
        for agent in agents.withLock({ $0 }) { await agent.kill() }
        await group.triggerGracefulShutdown()
        _ = try? await task.value
        let queues = [AgentClient.queue(agentID), conductorQueue] + dependentAgents.map(AgentClient.queue)
        do {
            try await QueueMaintenance.delete(queues, configuration: broker)
        } catch {
            Issue.record("cannot delete test queues: \(error)")
        }
        try? FileManager.default.removeItem(atPath: stateDirectory)
    }

    func configuration(
        dependencyTimeout: Duration = .seconds(30), heartbeatInterval: Duration = .seconds(10)
    ) -> AgentConfiguration {
        AgentConfiguration(agentID: agentID, hostID: hostID, stateDirectory: stateDirectory,
                           heartbeatInterval: heartbeatInterval, dependencyTimeout: dependencyTimeout,
                           applyTimeout: .seconds(30), prefetch: Int(broker.prefetch))
    }

    /// Starts an agent on this harness's queue and state directory, as the executable would.
    func start(_ driver: any AgentDriver, _ configuration: AgentConfiguration? = nil) throws -> RunningAgent {
        let configuration = configuration ?? self.configuration()
        let identity = AgentIdentity(agentID: agentID, hostID: hostID)
        let queue = AgentClient.queue(agentID)
        let agentPublisher = Publisher(configuration: broker, topology: ConductorClient.topology.declaringQueue(queue),
                                       logger: logger)
        let consumer = Consumer(configuration: broker, queue: queue, deadLetterPublisher: agentPublisher, logger: logger)
        let runtime = try AgentRuntime(
            driver: driver, identity: identity, configuration: configuration, consumer: consumer,
            publisher: ConductorRedirect(publisher: agentPublisher, queue: conductorQueue), logger: logger)
        let agent = RunningAgent(runtime: runtime, services: [agentPublisher, consumer, runtime], logger: logger)
        agents.withLock { $0.append(agent) }
        return agent
    }

    // MARK: Sending

    func send(_ request: RequestMessage) async throws {
        try await publisher.publish(AgentClient.request(request, to: agentID, trace: nil), timeout: .seconds(10))
    }

    func send(_ notify: NotifyMessage) async throws {
        try await publisher.publish(AgentClient.notify(notify, to: agentID, trace: nil), timeout: .seconds(10))
    }

    /// A message as it is, for bodies that are not valid messages.
    func sendRaw(type: String, body: String) async throws {
        try await publisher.publish(OutgoingMessage(routingKey: AgentClient.queue(agentID), type: type, body: Array(body.utf8)),
                                    timeout: .seconds(10))
    }

    // MARK: Receiving

    /// Messages received so far on `queue` (the conductor's stand-in by default).
    func received(on queue: String? = nil) -> [Delivery] {
        taps[queue ?? conductorQueue]?.deliveries ?? []
    }

    func notifies(on queue: String? = nil, about id: ObjectID? = nil) -> [NotifyMessage] {
        received(on: queue).compactMap { delivery -> NotifyMessage? in
            guard delivery.properties.type == "Notify" else { return nil }
            return try? MessageCodec.decode(NotifyMessage.self, from: delivery.data, format: .json)
        }.filter { id == nil || $0.object.id == id }
    }

    func heartbeats() -> [HeartbeatMessage] {
        received().compactMap { delivery -> HeartbeatMessage? in
            guard delivery.properties.type == "Heartbeat" else { return nil }
            return try? MessageCodec.decode(HeartbeatMessage.self, from: delivery.data, format: .json)
        }
    }

    /// Waits for `count` Notifies about `id` (on the conductor's stand-in unless `queue`).
    func waitForNotifies(about id: ObjectID, count: Int = 1, on queue: String? = nil,
                         within limit: Duration = .seconds(20)) async throws -> [NotifyMessage] {
        try await poll("\(count) Notify about \(id)", within: limit) {
            let found = self.notifies(on: queue, about: id)
            return found.count >= count ? found : nil
        }
    }
}

/// An agent running in its own `ServiceGroup`, stopped gracefully (SIGTERM) or killed.
final class RunningAgent: Sendable {
    let runtime: AgentRuntime
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    init(runtime: AgentRuntime, services: [any Service], logger: Logger) {
        self.runtime = runtime
        group = ServiceGroup(services: services, logger: logger)
        task = Task { [group] in try await group.run() }
    }

    func stopGracefully() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
    }

    /// Cancels everything at once, as close to a crash as an in-process agent gets: nothing is
    /// settled, the connections close, the broker redelivers.
    func kill() async {
        task.cancel()
        _ = try? await task.value
    }

    func waitUntilParked(_ count: Int = 1) async throws {
        try await poll("\(count) parked request(s)", every: .milliseconds(20)) {
            await self.runtime.parkedRequestCount >= count ? true : nil
        }
    }
}

/// Sends the agent's messages for the conductor to the test's own queue instead, marking the
/// routing key they were addressed to.
struct ConductorRedirect: MessagePublishing {
    let publisher: Publisher
    let queue: String

    func publish(_ message: OutgoingMessage, timeout: Duration?) async throws {
        var message = message
        if message.routingKey == ConductorClient.queue {
            message.headers[AgentHarness.originalRoutingKeyHeader] = message.routingKey
            message.routingKey = queue
        }
        try await publisher.publish(message, timeout: timeout)
    }
}

/// Reads a queue into memory, acknowledging everything.
final class Tap: Service, Sendable {
    let consumer: Consumer
    private let received = Mutex<[Delivery]>([])

    init(consumer: Consumer) {
        self.consumer = consumer
    }

    var deliveries: [Delivery] { received.withLock { $0 } }

    func run() async throws {
        for try await delivery in consumer.cancelOnGracefulShutdown() {
            received.withLock { $0.append(delivery) }
            try await delivery.ack()
        }
    }
}
