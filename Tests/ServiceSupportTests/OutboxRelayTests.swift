import Broker
import Foundation
import Logging
import ServiceLifecycle
import ServiceDatabase
import ServiceSupport
import Synchronization
import Store
import TestSupport
import Testing

/// The relay on the real broker and database.
@Suite(.enabled(if: IntegrationEnvironment.hasBrokerAndDatabase))
struct OutboxRelayTests {
    /// A row no queue takes (an agent whose queue is gone) goes to the dead-letter queue instead
    /// of failing for ever, and the rows after it still leave.
    @Test func anUnroutableRowIsDeadLetteredAndTheRowsAfterItLeave() async throws {
        let broker = try IntegrationEnvironment.brokerConfiguration(appID: "n0core-relay-test")
        let queue = IntegrationEnvironment.uniqueQueueName("test.relay")
        var logger = Logger(label: "n0core.relay.test")
        logger.logLevel = .critical
        try await IntegrationEnvironment.withIsolatedStore { store in
            let publisher = Publisher(configuration: broker, topology: Topology().declaringQueue(queue), logger: logger)
            let consumer = Consumer(configuration: broker, queue: queue, deadLetterPublisher: publisher, logger: logger)
            let nowhere = OutboxMessage(exchange: "n0core", routingKey: "test.nowhere.\(UUID())", messageType: "Spec",
                                        body: Data("{}".utf8))
            let routed = OutboxMessage(exchange: "n0core", routingKey: queue, messageType: "Spec", body: Data("{}".utf8))
            try await store.enqueueOutbox([nowhere, routed])
            let group = ServiceGroup(services: [publisher, consumer, OutboxRelay(store: store, publisher: publisher, logger: logger)],
                                     logger: logger)
            let received = ReceivedIDs()
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                tasks.addTask {
                    for try await delivery in consumer {
                        try await delivery.ack()
                        received.ids.withLock { $0.append(delivery.properties.messageID ?? "") }
                    }
                }
                try await waitUntil("the routed row's message") { !received.ids.withLock(\.isEmpty) }
                #expect(received.ids.withLock { $0 } == [routed.messageID.uuidString.lowercased()])
                try await waitUntil("both rows marked sent") {
                    try await IntegrationEnvironment.count("outbox WHERE sent_at IS NULL", in: store) == 0
                }
                await group.triggerGracefulShutdown()
                tasks.cancelAll()
            }
            try await QueueMaintenance.delete([queue], configuration: broker)
        }
    }
}

extension OutboxRelayTests {
    /// A commit's notification wakes the relay: with a poll interval far longer than the test,
    /// only the notification can deliver in time.
    @Test func aCommitWakesTheRelay() async throws {
        let broker = try IntegrationEnvironment.brokerConfiguration(appID: "n0core-relay-test")
        let queue = IntegrationEnvironment.uniqueQueueName("test.relay")
        var logger = Logger(label: "n0core.relay.test")
        logger.logLevel = .critical
        try await IntegrationEnvironment.withIsolatedStore(maximumConnections: 8) { store in
            let publisher = Publisher(configuration: broker, topology: Topology().declaringQueue(queue), logger: logger)
            let consumer = Consumer(configuration: broker, queue: queue, deadLetterPublisher: publisher, logger: logger)
            let relay = OutboxRelay(store: store, publisher: publisher, logger: logger, pollInterval: .seconds(60))
            let group = ServiceGroup(services: [publisher, consumer, relay], logger: logger)
            let received = ReceivedIDs()
            let queued = (0..<25).map { _ in
                OutboxMessage(exchange: "n0core", routingKey: queue, messageType: "Spec", body: Data("{}".utf8))
            }
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                tasks.addTask {
                    for try await delivery in consumer {
                        try await delivery.ack()
                        received.ids.withLock { $0.append(delivery.properties.messageID ?? "") }
                    }
                }
                try await waitUntil("the broker connections") { publisher.isConnected && consumer.isConnected }
                // The relay's first poll has run; from now on only a notification wakes it.
                try await Task.sleep(for: .milliseconds(300))
                try await store.withTransaction { tx in try await tx.enqueueOutbox(queued) }
                try await waitUntil("all 25 messages", within: .seconds(10)) { received.ids.withLock(\.count) >= queued.count }
                #expect(Set(received.ids.withLock { $0 }) == Set(queued.map { $0.messageID.uuidString.lowercased() }))
                await group.triggerGracefulShutdown()
                tasks.cancelAll()
            }
            try await QueueMaintenance.delete([queue], configuration: broker)
        }
    }
}

/// Message ids a consumer task saw, read by the test.
final class ReceivedIDs: Sendable {
    let ids = Mutex<[String]>([])
}
