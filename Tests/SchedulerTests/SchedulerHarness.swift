import API
import Broker
import Clients
import Foundation
import Logging
import Messages
import Scheduler
import ServiceLifecycle
import ServiceDatabase
import ServiceSupport
import Store
import Synchronization
import TestSupport
import Testing
import W3CTraceContext

/// A scheduler (or several replicas) on the real broker and database, with agents registered
/// the way the conductor registers them and a consumer on each agent's queue.
///
/// Everything is unique to one run: the scheduler's queue, the agents (and their queues, which
/// are deleted at the end), the hosts except the seed's. The scheduler replicas are confined to
/// the agents this run registered (`SchedulerSettings.onlyAgents`), so other suites' agents on
/// the seed's host cannot take the work, and the agents are marked dead at the end so no other
/// scheduler sends work to queues that are about to disappear.
struct SchedulerHarness: Sendable {
    let store: Store
    let logger: Logger
    let schedulerQueue = IntegrationEnvironment.uniqueQueueName("test.scheduler")
    /// This run's copy of the dead letters; the shared queue would let concurrent runs hold each
    /// other's messages unacknowledged.
    let deadLetterTap = IntegrationEnvironment.uniqueQueueName("test.dead-letters")
    let agents: [RegisteredAgent]

    /// A request and the queue it arrived on.
    struct Received: Sendable {
        let queue: String
        let request: RequestMessage
        let messageID: String?
    }

    final class Inbox: Sendable {
        private let received = Mutex<[Received]>([])
        private let deadLetters = Mutex<[MessageProperties]>([])
        func append(_ item: Received) { received.withLock { $0.append(item) } }
        func appendDeadLetter(_ properties: MessageProperties) { deadLetters.withLock { $0.append(properties) } }
        /// The dead-lettered copies of messages sent to this run's scheduler queue.
        var deadLettered: [MessageProperties] { deadLetters.withLock { $0 } }
        var all: [Received] { received.withLock { $0 } }
        func requests(specID: Int64) -> [Received] { all.filter { $0.request.specID == specID } }
    }

    init(store: Store, agents: [RegisteredAgent]) {
        self.store = store
        self.agents = agents
        var logger = Logger(label: "n0core.scheduler.tests")
        logger.logLevel = .notice
        self.logger = logger
    }

    /// Writes the agents' registry nodes as the conductor does from heartbeats.
    func register(state: String = "alived") async throws {
        try await store.upsertNodes(agents.map { agent in
            var object = agent.object
            object.desiredState = state
            object.capacity = Capacity(
                vcpus: agent.type == .agentComputeKVM ? agent.capacity.vcpus : nil,
                memory: agent.type == .agentComputeKVM ? Size(bytes: UInt64(agent.capacity.memoryBytes)) : nil,
                disk: agent.type == .agentVolumerFile ? Size(bytes: UInt64(agent.capacity.diskBytes)) : nil)
            return GraphNode(id: agent.id.uuid, type: agent.type.rawValue, name: "\(agent.type.rawValue) \(agent.hostID)",
                             desiredState: state, object: MessageCodec.encodeString(object, format: .json))
        })
    }

    /// Stores a spec as the API does (version, graph nodes and edges, `ACCEPTED` left out) and
    /// returns its `Spec` message; the message goes to this run's queue, not the outbox.
    func storeSpec(_ document: SpecDocument) async throws -> SpecMessage {
        let resolved = try SpecResolver.resolve(document, context: ResolutionContext()).get()
        let record = NewSpecVersion(
            annotations: MessageCodec.encodeString(document.annotations ?? Annotations(), format: .json),
            submitted: MessageCodec.encodeString(document, format: .json),
            resolved: MessageCodec.encodeString(resolved.document, format: .json))
        let specID = try await store.withTransaction { tx in
            let (specID, _) = try await tx.createSpec(record)
            var nodes: [GraphNode] = []
            var edges: [GraphEdge] = []
            for object in resolved.objects {
                guard let id = object.id, let type = object.type else { continue }
                nodes.append(GraphNode(id: id.uuid, type: type.rawValue, name: object.name ?? "", specID: specID,
                                       desiredState: object.desiredState, object: MessageCodec.encodeString(object, format: .json)))
                for dependency in object.dependencies ?? [] {
                    guard let target = dependency.object.id else { continue }
                    edges.append(GraphEdge(source: id.uuid, target: target.uuid, relation: dependency.property.relation,
                                           properties: MessageCodec.encodeString(dependency.property, format: .json), specID: specID))
                }
            }
            try await tx.upsertNodes(nodes)
            try await tx.upsertEdges(edges)
            try await tx.acceptPlacements(nodes.map(\.id), specID: specID, version: 0)
            return specID
        }
        return SpecMessage(id: specID, version: 0, annotations: document.annotations, spec: resolved.objects)
    }

    /// Stores the next version of `spec` as the API does for a `PUT` or `DELETE` that changes
    /// `objects` (their nodes' desired state, their rounds moved to the new version, older
    /// pending versions superseded) and returns its `Spec` message.
    func storeVersion(of spec: SpecMessage, version: Int, objects: [Object]) async throws -> SpecMessage {
        let record = NewSpecVersion(submitted: "{}", resolved: "{}")
        try await store.withTransaction { tx in
            try await tx.appendVersion(specID: spec.id, version: version, record)
            try await tx.upsertNodes(objects.compactMap { object in
                guard let id = object.id, let type = object.type else { return nil }
                return GraphNode(id: id.uuid, type: type.rawValue, name: object.name ?? "", specID: spec.id,
                                 desiredState: object.desiredState, object: MessageCodec.encodeString(object, format: .json))
            }, preservingObjectKeys: ["url", "bridge", "hw_addr"])
            try await tx.acceptPlacements(objects.compactMap(\.id?.uuid), specID: spec.id, version: version)
            try await tx.supersedeVersions(specID: spec.id, before: version)
        }
        return SpecMessage(id: spec.id, version: version, annotations: spec.annotations, spec: objects)
    }

    /// The message that carries `spec` to this run's scheduler queue.
    func outgoing(_ spec: SpecMessage) -> OutgoingMessage {
        var message = SchedulerClient.spec(spec, trace: TraceContext.start())
        message.routingKey = schedulerQueue
        return message
    }

    /// Runs `replicas` schedulers, an outbox relay and a consumer per agent queue around `body`.
    func run<Result: Sendable>(
        replicas: Int = 1, concurrency: Int = 4, watchDeadLetters: Bool = false, placementDeadlineSeconds: Double = 600,
        _ body: @Sendable (_ publisher: Publisher, _ inbox: Inbox) async throws -> Result
    ) async throws -> Result {
        var topology = Topology().declaringQueue(schedulerQueue)
        for agent in agents { topology.declareQueue(AgentClient.queue(agent.id)) }
        // Declared by the publisher, which connects before it publishes: no dead letter is missed.
        if watchDeadLetters { topology.declareDeadLetterTap(deadLetterTap) }
        let publisher = Publisher(configuration: try IntegrationEnvironment.brokerConfiguration(appID: "n0core-scheduler-test"),
                                  topology: topology, logger: logger)
        // Registered agents send no heartbeats here: a long timeout keeps them alive however
        // slowly a loaded machine runs the test (dead ones are registered as `dead`).
        let settings = SchedulerSettings(agentTimeoutSeconds: 3600, concurrency: concurrency, onlyAgents: Set(agents.map(\.id)),
                                         placementDeadlineSeconds: placementDeadlineSeconds, deferredRetryMaxSeconds: 1)
        var services: [any Service] = [publisher, OutboxRelay(store: store, publisher: publisher, logger: logger)]
        for _ in 0..<replicas {
            let consumer = Consumer(configuration: try IntegrationEnvironment.brokerConfiguration(prefetch: UInt16(concurrency * 2)),
                                    queue: schedulerQueue, deadLetterPublisher: publisher, logger: logger)
            services += [consumer, SchedulerService(consumer: consumer, store: store, settings: settings, logger: logger)]
        }
        let inbox = Inbox()
        var agentConsumers: [Consumer] = []
        for agent in agents {
            agentConsumers.append(Consumer(configuration: try IntegrationEnvironment.brokerConfiguration(),
                                           queue: AgentClient.queue(agent.id), deadLetterPublisher: publisher, logger: logger))
        }
        services += agentConsumers
        let deadLetters = watchDeadLetters
            ? Consumer(configuration: try IntegrationEnvironment.brokerConfiguration(prefetch: 100),
                       queue: deadLetterTap, topology: topology, deadLetterPublisher: publisher, logger: logger)
            : nil
        if let deadLetters { services.append(deadLetters) }
        let group = ServiceGroup(services: services, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            for consumer in agentConsumers {
                tasks.addTask {
                    for try await delivery in consumer {
                        if let request = try? MessageCodec.decode(RequestMessage.self, from: delivery.data, format: .json) {
                            inbox.append(Received(queue: delivery.queue, request: request, messageID: delivery.properties.messageID))
                        }
                        try await delivery.ack()
                    }
                }
            }
            if let deadLetters {
                let queue = schedulerQueue
                tasks.addTask {
                    for try await delivery in deadLetters {
                        if delivery.properties.headers[Delivery.originalQueueHeader] == queue {
                            inbox.appendDeadLetter(delivery.properties)
                        }
                        try await delivery.ack()
                    }
                }
            }
            do {
                let result = try await body(publisher, inbox)
                try await register(state: "dead")
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                await deleteQueues()
                return result
            } catch {
                try? await register(state: "dead")
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                await deleteQueues()
                throw error
            }
        }
    }

    /// Deletes this run's queues (the broker keeps durable queues otherwise).
    func deleteQueues() async {
        let vhost = (try? IntegrationEnvironment.requireBroker().vhost) ?? "/"
        for queue in [schedulerQueue, deadLetterTap] + agents.map({ AgentClient.queue($0.id) }) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["rabbitmqctl", "-q", "-p", vhost, "delete_queue", queue]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            do {
                try process.run()
                process.waitUntilExit()
            } catch {
                Issue.record("cannot delete test queue \(queue): \(error)")
            }
        }
    }

}
