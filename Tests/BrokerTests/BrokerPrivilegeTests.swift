import Foundation
import Logging
import TestSupport
import Testing

@testable import Broker

/// Least privilege on the real broker: who sent a message (`user_id`, which the broker
/// validates), dead letters through `n0core.dead-letter` rather than the default exchange, a
/// user that may not declare the shared objects finding them, and queues of an earlier release.
/// Each test has a virtual host (and users) of its own.
@Suite("Broker privileges (RabbitMQ)", .enabled(if: IntegrationEnvironment.hasBroker))
struct BrokerPrivilegeTests {
    static func scratchName(_ what: String) -> String {
        "n0t-\(what)-" + UUID().uuidString.prefix(8).lowercased()
    }

    @Test func aDeliveryNamesItsPublisherAndADeadLetterCopyTheUserThatDeadLetteredIt() async throws {
        let environment = try BrokerTestEnvironment.require()
        let vhost = try await ScratchVirtualHost.create(base: environment.url, prefix: "n0t-uid")
        defer { vhost.delete() }
        let other = try await ScratchBrokerUser.create(name: Self.scratchName("consumer"), base: vhost.url)
        defer { other.delete() }
        let queue = BrokerTestEnvironment.uniqueQueueName()
        let sender = IntegrationEnvironment.brokerConfiguration(url: vhost.url, appID: "n0core-sender")
        let receiver = IntegrationEnvironment.brokerConfiguration(url: other.url, appID: "n0core-receiver")
        let publisher = Publisher(configuration: sender, topology: Topology().declaringQueue(queue), logger: environment.logger)
        let deadLetterPublisher = Publisher(configuration: receiver, logger: environment.logger)
        let consumer = Consumer(configuration: receiver, queue: queue, deadLetterPublisher: deadLetterPublisher, logger: environment.logger)
        let deadLetters = Consumer(configuration: sender, queue: Topology.deadLetterQueue, deadLetterPublisher: publisher,
                                   logger: environment.logger)
        let message = OutgoingMessage(routingKey: queue, type: "Notify", body: Array("{}".utf8))

        let (delivered, deadLetter) = try await environment.withServices([publisher, deadLetterPublisher, consumer, deadLetters]) {
            try await publisher.publish(message, timeout: .seconds(10))
            let delivered = try await withDeadline(.seconds(10), "consuming the message") {
                for try await delivery in consumer {
                    try await delivery.deadLetter(reason: "refused by the test")
                    return delivery.properties
                }
                throw TestTimeout(what: "the consumer ended")
            }
            let deadLetter = try await withDeadline(.seconds(10), "finding the dead letter") {
                for try await delivery in deadLetters {
                    try await delivery.ack()
                    return delivery
                }
                throw TestTimeout(what: "the dead-letter consumer ended")
            }
            return (delivered, deadLetter)
        }
        #expect(delivered.userID == vhost.url.user, "the broker delivers the publisher's own user as user_id")
        #expect(delivered.appID == "n0core-sender")
        #expect(deadLetter.properties.messageID == message.messageID)
        #expect(deadLetter.exchange == Topology.deadLetterExchange, "dead letters never go through the default exchange")
        #expect(deadLetter.routingKey == Topology.deadLetterQueue)
        #expect(deadLetter.properties.userID == other.name, "the copy is published by the user that dead-lettered it")
        #expect(deadLetter.properties.headers[Delivery.originalUserIDHeader] == vhost.url.user)
        #expect(deadLetter.properties.appID == "n0core-sender", "the copy keeps its original sender's name")
    }

    /// RabbitMQ refuses a message whose `user_id` is not its connection's user (closing the
    /// channel), which is what lets a consumer trust `user_id`.
    @Test func theBrokerRefusesAForgedUserID() async throws {
        let environment = try BrokerTestEnvironment.require()
        let vhost = try await ScratchVirtualHost.create(base: environment.url, prefix: "n0t-forge")
        defer { vhost.delete() }
        let queue = BrokerTestEnvironment.uniqueQueueName()
        let configuration = IntegrationEnvironment.brokerConfiguration(url: vhost.url, appID: "n0core-forger")
        let outcome = try await AMQPConnection.withTemporaryConnection(configuration) { connection -> String in
            _ = try connection.declare(Topology().declaringQueue(queue))
            try connection.enableConfirms()
            let message = OutgoingMessage(routingKey: queue, type: "Heartbeat", body: Array("{}".utf8))
            try connection.publish(message, properties: message.publishedProperties(appID: "n0core-forger", userID: "n0core-hypervisor-someone-else"))
            let deadline = ContinuousClock.now + .seconds(10)
            do {
                while ContinuousClock.now < deadline {
                    if case .ack? = try connection.nextEvent(timeout: .milliseconds(100)) { return "accepted" }
                }
                return "no answer"
            } catch BrokerError.channelClosed(let code, let text) {
                return "\(code) \(text)"
            }
        }
        #expect(outcome.hasPrefix("406 PRECONDITION_FAILED - user_id property set to 'n0core-hypervisor-someone-else'"), "\(outcome)")
    }

    /// A hypervisor's user may declare only its agents' queues: the exchanges, `n0core.dead` and
    /// `conductor` it finds (or, while they do not exist, cannot connect), and it works with them.
    @Test func aUserThatMayNotDeclareTheSharedObjectsFindsThemAndWorks() async throws {
        let environment = try BrokerTestEnvironment.require()
        let vhost = try await ScratchVirtualHost.create(base: environment.url, prefix: "n0t-find")
        defer { vhost.delete() }
        let own = "agent-" + UUID().uuidString.lowercased()
        let escaped = own.replacingOccurrences(of: "-", with: "\\-")
        let hypervisor = try await ScratchBrokerUser.create(
            name: Self.scratchName("hypervisor"), base: vhost.url,
            configure: "^\(escaped)$", write: "^(n0core|n0core\\.dead-letter|\(escaped))$", read: "^(n0core|\(escaped))$")
        defer { hypervisor.delete() }
        let admin = IntegrationEnvironment.brokerConfiguration(url: vhost.url, appID: "n0core-conductor")
        let agent = IntegrationEnvironment.brokerConfiguration(url: hypervisor.url, appID: "n0core-compute-kvm")
        let agentTopology = Topology().declaringQueue("conductor").declaringQueue(own)

        // The shared objects but no `conductor` yet: the agent's user may not make it.
        _ = try await AMQPConnection.withTemporaryConnection(admin) { try $0.declare(Topology()) }
        let missing = await #expect(throws: BrokerError.self) {
            _ = try await AMQPConnection.withTemporaryConnection(agent) { try $0.declare(agentTopology) }
        }
        #expect("\(missing.map { "\($0)" } ?? "")".contains("queue 'conductor'"), "\(String(describing: missing))")

        _ = try await AMQPConnection.withTemporaryConnection(admin) { try $0.declare(Topology().declaringQueue("conductor")) }
        let report = try await AMQPConnection.withTemporaryConnection(agent) { try $0.declare(agentTopology) }
        #expect(report.found == ["exchange n0core", "exchange n0core.dead-letter", "queue n0core.dead", "queue conductor"])
        #expect(report.legacyQueues.isEmpty)

        // As the agents run: a publisher declaring conductor and its queue, a consumer of its queue.
        let publisher = Publisher(configuration: agent, topology: agentTopology, logger: environment.logger)
        let consumer = Consumer(configuration: agent, queue: own, deadLetterPublisher: publisher, logger: environment.logger)
        let conductor = Consumer(configuration: admin, queue: "conductor", deadLetterPublisher: publisher, logger: environment.logger)
        let received = try await environment.withServices([publisher, consumer, conductor]) {
            try await publisher.publish(OutgoingMessage(routingKey: "conductor", type: "Heartbeat", body: Array("{}".utf8)), timeout: .seconds(10))
            try await publisher.publish(OutgoingMessage(routingKey: own, type: "Notify", body: Array("x".utf8)), timeout: .seconds(10))
            let heartbeat = try await withDeadline(.seconds(10), "the conductor's message") {
                for try await delivery in conductor {
                    try await delivery.ack()
                    return delivery.properties.userID
                }
                throw TestTimeout(what: "the conductor's consumer ended")
            }
            let own = try await withDeadline(.seconds(10), "the agent's message") {
                for try await delivery in consumer {
                    // Dead-lettering is open to it too (through n0core.dead-letter).
                    try await delivery.deadLetter(reason: "not JSON")
                    return delivery.properties.type
                }
                throw TestTimeout(what: "the agent's consumer ended")
            }
            return (heartbeat, own)
        }
        #expect(received.0 == hypervisor.name)
        #expect(received.1 == "Notify")
    }

    /// Queues made before the dead-letter exchange keep `x-dead-letter-exchange: ""`; declaring
    /// them with the new arguments is refused (PRECONDITION_FAILED), so they are declared with
    /// theirs, and the broker still dead-letters from them into `n0core.dead`.
    @Test func queuesOfAnEarlierReleaseAreUsedAsTheyAre() async throws {
        let environment = try BrokerTestEnvironment.require()
        let vhost = try await ScratchVirtualHost.create(base: environment.url, prefix: "n0t-legacy")
        defer { vhost.delete() }
        let configuration = IntegrationEnvironment.brokerConfiguration(url: vhost.url, appID: "n0core-test")
        let old = BrokerTestEnvironment.uniqueQueueName()
        let new = BrokerTestEnvironment.uniqueQueueName()
        let topology = Topology().declaringQueue(old).declaringQueue(new)
        let report = try await AMQPConnection.withTemporaryConnection(configuration) { connection in
            try connection.declareQueue(old, arguments: topology.legacyWorkQueueArguments)
            return try connection.declare(topology)
        }
        #expect(report.legacyQueues == [old])
        #expect(report.found.isEmpty)

        let publisher = Publisher(configuration: configuration, topology: topology, logger: environment.logger)
        let consumers = [old, new].map {
            Consumer(configuration: configuration, queue: $0, deadLetterPublisher: publisher, logger: environment.logger)
        }
        let deadLetters = Consumer(configuration: configuration, queue: Topology.deadLetterQueue, deadLetterPublisher: publisher,
                                   logger: environment.logger)
        let exchanges = try await environment.withServices([publisher, deadLetters] + consumers) {
            for queue in [old, new] {
                try await publisher.publish(OutgoingMessage(routingKey: queue, type: "Spec", body: []), timeout: .seconds(10))
            }
            for consumer in consumers {
                try await withDeadline(.seconds(10), "rejecting on \(consumer.queue)") {
                    for try await delivery in consumer {
                        try await delivery.reject(requeue: false)  // the queue's own dead-lettering
                        return
                    }
                }
            }
            return try await withDeadline(.seconds(10), "both dead letters") {
                var byQueue: [String: String] = [:]
                for try await delivery in deadLetters {
                    try await delivery.ack()
                    byQueue[delivery.properties.headers["x-first-death-queue"] ?? "?"] = delivery.exchange
                    if byQueue.count == 2 { return byQueue }
                }
                throw TestTimeout(what: "the dead-letter consumer ended")
            }
        }
        #expect(exchanges[old] == "", "the old queue dead-letters through the default exchange, as it was made to")
        #expect(exchanges[new] == Topology.deadLetterExchange)
    }
}
