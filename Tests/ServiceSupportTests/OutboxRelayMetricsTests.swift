import Broker
import Foundation
import Logging
import Metrics
import MetricsTestKit
import ServiceDatabase
import ServiceLifecycle
import Store
import TestSupport
import Testing

extension OutboxRelayTests {
    /// The relay counts what the broker confirmed, by type, and what went to the dead-letter
    /// queue instead; it measures the backlog, which it drains to zero.
    @Test func publishedDeadLetteredAndTheBacklogAreMeasured() async throws {
        let broker = try IntegrationEnvironment.brokerConfiguration(appID: "n0core-relay-test")
        let queue = IntegrationEnvironment.uniqueQueueName("test.relay")
        var logger = Logger(label: "n0core.relay.test")
        logger.logLevel = .critical
        let metrics = TestMetrics()
        try await IntegrationEnvironment.withIsolatedStore { store in
            let publisher = Publisher(configuration: broker, topology: Topology().declaringQueue(queue), logger: logger)
            let routed = (0..<3).map { _ in
                OutboxMessage(exchange: "n0core", routingKey: queue, messageType: "Request", body: Data("{}".utf8))
            }
            let nowhere = OutboxMessage(exchange: "n0core", routingKey: "test.nowhere.\(UUID())", messageType: "Request",
                                        body: Data("{}".utf8))
            try await store.enqueueOutbox(routed + [nowhere])
            let relay = OutboxRelay(store: store, publisher: publisher, logger: logger, backlogInterval: .milliseconds(50))
            let group = ServiceGroup(services: [publisher, relay], logger: logger)
            try await withMetricsFactory(metrics) {
                try await withThrowingTaskGroup(of: Void.self) { tasks in
                    tasks.addTask { try await group.run() }
                    try await waitUntil("every row sent and the backlog measured empty") {
                        let pending = metrics.recorders(label: "n0core_outbox_pending_messages").first?.lastValue
                        return try await IntegrationEnvironment.count("outbox WHERE sent_at IS NULL", in: store) == 0
                            && pending == 0
                    }
                    await group.triggerGracefulShutdown()
                    tasks.cancelAll()
                }
            }
            #expect(metrics.counterTotal(label: "n0core_outbox_published_total", dimensions: [("type", "Request")]) == 3)
            #expect(metrics.counterTotal(label: "n0core_outbox_dead_lettered_total") == 1)
            #expect(try metrics.expectGauge("n0core_outbox_oldest_pending_age_seconds").lastValue == 0)
            try await QueueMaintenance.delete([queue], configuration: broker)
        }
    }
}
