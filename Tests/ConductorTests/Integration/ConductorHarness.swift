import Broker
import Clients
import Foundation
import Logging
import Messages
import ServiceLifecycle
import ServiceDatabase
import ServiceSupport
import Store
import Synchronization
import TestSupport
import Testing
import W3CTraceContext

@testable import Conductor

/// Conductor replicas, sweepers and an outbox relay on the real broker and database, fed
/// scripted messages.
///
/// So that tests running beside others neither steal nor receive foreign messages, the replicas
/// consume a queue of their own that stands in for `conductor` (the messages are built by
/// `ConductorClient` and only re-addressed), and a second queue of the test's own is bound to the
/// exchange with the key `scheduler`: it receives a copy of every `Spec` sent to the scheduler.
/// Both queues are deleted at the end.
final class ConductorHarness: Sendable {
    let store: Store
    let queue = IntegrationEnvironment.uniqueQueueName("test.conductor")
    let schedulerCopy = IntegrationEnvironment.uniqueQueueName("test.scheduler-copy")
    let broker: BrokerConfiguration
    let logger: Logger
    let publisher: Publisher
    private let handledLog = Mutex<[HandledDelivery]>([])
    private let specLog = Mutex<[(messageID: String, spec: SpecMessage)]>([])

    init(store: Store) throws {
        self.store = store
        broker = try IntegrationEnvironment.brokerConfiguration(appID: "n0core-conductor-test")
        var logger = Logger(label: "n0core.conductor.tests")
        logger.logLevel = .notice
        self.logger = logger
        publisher = Publisher(configuration: broker, topology: Topology().declaringQueue(queue), logger: logger)
    }

    /// Every delivery the replicas have settled, in order.
    var handled: [HandledDelivery] { handledLog.withLock { $0 } }

    /// Every `Spec` sent to the scheduler about `scenario`'s objects while the harness ran, in
    /// order, each once. Spec ids alone do not tell (every test's schema numbers its specs from
    /// 1), the objects' ids do. Delivery is at least once (an outbox relay whose confirm was lost
    /// sends again, with the same `message_id`), so copies are deduplicated as the scheduler does.
    func specs(for scenario: SeedScenario) -> [SpecMessage] {
        let ids = Set(SeedScenario.Resource.allCases.map(scenario.id(of:)))
        return specLog.withLock { log in
            var seen = Set<String>()
            return log.filter { entry in
                entry.spec.id == scenario.specID && !entry.spec.spec.isEmpty
                    && entry.spec.spec.allSatisfy { $0.id.map(ids.contains) ?? false }
                    && seen.insert(entry.messageID).inserted
            }.map(\.spec)
        }
    }

    /// Runs `replicas` conductor services and `sweepers` sweepers around `body`, then shuts
    /// everything down and deletes the test's queues.
    /// - Parameter consumerBroker: where the replicas' consumers connect (a relay a test can
    ///   cut); the harness's own broker by default.
    func run<Result: Sendable>(
        configuration: ConductorConfiguration, replicas: Int = 1, sweepers: Int = 1,
        consumerBroker: BrokerConfiguration? = nil,
        _ body: () async throws -> Result
    ) async throws -> Result {
        let consumers = (0..<replicas).map { _ in
            Consumer(configuration: consumerBroker ?? broker, queue: queue, deadLetterPublisher: publisher, logger: logger)
        }
        let copies = Consumer(configuration: broker, queue: schedulerCopy, bindingKeys: [SchedulerClient.queue],
                              deadLetterPublisher: publisher, logger: logger)
        var services: [any Service] = [publisher] + consumers + [copies]
        services.append(OutboxRelay(store: store, publisher: publisher, logger: logger))
        let conductors = consumers.map { consumer in
            ConductorService(consumer: consumer, store: store, configuration: configuration, logger: logger,
                             onHandled: { delivery in self.handledLog.withLock { $0.append(delivery) } })
        }
        // Each sweeper judges by what its replica hears, as in a conductor process.
        for index in 0..<sweepers {
            let conductor = conductors[index % conductors.count]
            services.append(ConductorSweeper(store: store, configuration: configuration, hearing: conductor.hearing,
                                             gate: conductor.gate, logger: logger))
        }
        services += conductors as [any Service]
        services.append(SpecCollector(consumer: copies, log: { messageID, spec in self.specLog.withLock { $0.append((messageID, spec)) } }))

        let group = ServiceGroup(services: services, logger: logger)
        let result: Swift.Result<Result, any Error> = await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let result: Swift.Result<Result, any Error>
            do {
                try await waitUntil("connecting to the broker", every: .milliseconds(25)) {
                    self.publisher.isConnected && copies.isConnected && consumers.allSatisfy(\.isConnected)
                }
                result = .success(try await body())
            } catch {
                result = .failure(error)
            }
            await group.triggerGracefulShutdown()
            try? await tasks.waitForAll()
            return result
        }
        await deleteQueues()
        return try result.get()
    }

    /// Publishes a result as an agent does (`ConductorClient.notify`), to the test's queue.
    func publish(_ notify: NotifyMessage, messageID: String? = nil) async throws {
        var message = ConductorClient.notify(notify, trace: TraceContext.start())
        message.routingKey = queue
        if let messageID { message.messageID = messageID }
        try await publisher.publish(message, timeout: .seconds(10))
    }

    /// Publishes a heartbeat as an agent does (`ConductorClient.heartbeat`), to the test's queue.
    func publish(_ heartbeat: HeartbeatMessage) async throws {
        var message = ConductorClient.heartbeat(heartbeat)
        message.routingKey = queue
        try await publisher.publish(message, timeout: .seconds(10))
    }

    /// Publishes raw bytes with an AMQP type, as a broken sender would.
    func publishRaw(type: String, body: String) async throws {
        try await publisher.publish(OutgoingMessage(routingKey: queue, type: type, body: Array(body.utf8)), timeout: .seconds(10))
    }

    /// Waits until `count` deliveries have been settled.
    func waitForHandled(_ count: Int, _ what: String) async throws {
        try await waitUntil("\(what) (\(count) deliveries settled)", every: .milliseconds(25)) { self.handled.count >= count }
    }

    private func deleteQueues() async {
        let names = [queue, schedulerCopy]
        do {
            try await QueueMaintenance.delete(names, configuration: broker)
        } catch {
            Issue.record("cannot delete the test queues \(names): \(error)")
        }
    }
}

/// Keeps every `Spec` arriving on the test's copy of the scheduler's queue.
struct SpecCollector: Service {
    let consumer: Consumer
    let log: @Sendable (_ messageID: String, SpecMessage) -> Void

    func run() async throws {
        for try await delivery in consumer.cancelOnGracefulShutdown() {
            if delivery.properties.type == MessageType.spec.rawValue,
               let spec = try? MessageCodec.decode(SpecMessage.self, from: delivery.data, format: .json) {
                log(delivery.properties.messageID ?? UUID().uuidString, spec)
            }
            try await delivery.ack()
        }
    }
}

