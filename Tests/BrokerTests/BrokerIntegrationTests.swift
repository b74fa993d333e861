import Foundation
import TestSupport
import Testing

@testable import Broker

/// End-to-end tests against a real RabbitMQ (`N0CORE_AMQP_URL`).
///
/// Serialized: one of them closes every connection of the vhost, which must not hit the others.
@Suite("Broker integration (RabbitMQ)", .serialized, .enabled(if: IntegrationEnvironment.hasBroker))
struct BrokerIntegrationTests {
    @Test func publishedMessagesArriveConfirmedWithTheirProperties() async throws {
        let environment = try BrokerTestEnvironment.require()
        let queue = BrokerTestEnvironment.uniqueQueueName()
        let publisher = Publisher(
            configuration: environment.configuration("n0core-test-publisher"),
            topology: Topology().declaringQueue(queue), logger: environment.logger)
        let consumer = Consumer(
            configuration: environment.configuration(), queue: queue, deadLetterPublisher: publisher,
            logger: environment.logger)
        let correlationID = "spec-\(Int.random(in: 1...99_999))"
        let traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        let sent = (0..<100).map { index in
            OutgoingMessage(
                routingKey: queue, type: "Request", body: Array("{\"n\":\(index)}".utf8),
                correlationID: correlationID, headers: ["traceparent": traceparent])
        }
        let before = Date().addingTimeInterval(-2)

        let received = try await environment.withServices([publisher, consumer]) {
            async let deliveries = withDeadline(.seconds(20), "consuming 100 messages") {
                try await consumer.acknowledged(sent.count)
            }
            for message in sent {
                try await publisher.publish(message, timeout: .seconds(10))
            }
            let received = try await deliveries
            await #expect(throws: BrokerError.alreadySettled) { try await received[0].ack() }
            #expect(publisher.isConnected && consumer.isConnected)
            return received
        }
        await environment.deleteQueues([queue])

        #expect(received.map(\.properties.messageID) == sent.map(\.messageID))
        for (delivery, message) in zip(received, sent) {
            #expect(delivery.body == message.body)
            #expect(delivery.routingKey == queue)
            #expect(delivery.exchange == Topology.exchange)
            #expect(delivery.queue == queue)
            #expect(!delivery.redelivered)
            #expect(delivery.properties.type == "Request")
            #expect(delivery.properties.correlationID == correlationID)
            #expect(delivery.properties.appID == "n0core-test-publisher")
            #expect(delivery.properties.contentType == "application/json")
            #expect(delivery.properties.headers["traceparent"] == traceparent)
            #expect(delivery.properties.timestamp.map { $0 >= before && $0 <= Date() } == true)
        }
        #expect(publisher.connectionState == .shutDown)
    }

    @Test func unroutableMessageFailsItsPublish() async throws {
        let environment = try BrokerTestEnvironment.require()
        let queue = BrokerTestEnvironment.uniqueQueueName()
        let publisher = Publisher(
            configuration: environment.configuration(), topology: Topology().declaringQueue(queue),
            logger: environment.logger)
        try await environment.withServices([publisher]) {
            let message = OutgoingMessage(
                routingKey: "test.nobody-listens.\(UUID().uuidString)", type: "Notify", body: Array("{}".utf8))
            await #expect {
                try await publisher.publish(message, timeout: .seconds(10))
            } throws: { error in
                guard case .unroutable(let exchange, let routingKey, _) = error as? BrokerError else { return false }
                return exchange == Topology.exchange && routingKey == message.routingKey
            }
            // The channel survives: the next message goes through.
            try await publisher.publish(
                OutgoingMessage(routingKey: queue, type: "Notify", body: Array("{}".utf8)), timeout: .seconds(10))
        }
        await environment.deleteQueues([queue])
    }

    @Test func idleConnectionsStayUpThroughHeartbeats() async throws {
        let environment = try BrokerTestEnvironment.require()
        let queue = BrokerTestEnvironment.uniqueQueueName()
        var configuration = environment.configuration()
        configuration.heartbeat = .seconds(1)
        let publisher = Publisher(configuration: configuration, topology: Topology().declaringQueue(queue), logger: environment.logger)
        let consumer = Consumer(configuration: configuration, queue: queue, deadLetterPublisher: publisher, logger: environment.logger)
        let states = Collector<String>()
        try await environment.withServices([publisher, consumer]) {
            try await withDeadline(.seconds(10), "connecting") {
                while !(publisher.isConnected && consumer.isConnected) { try await Task.sleep(for: .milliseconds(20)) }
            }
            let watchers = [publisher.connectionStateUpdates(), consumer.connectionStateUpdates()].map { updates in
                Task { for await state in updates { await states.add("\(state)") } }
            }
            // The broker drops a connection that misses two 1 s heartbeats; stay idle well past that.
            try await Task.sleep(for: .seconds(4))
            #expect(publisher.isConnected && consumer.isConnected)
            let message = OutgoingMessage(routingKey: queue, type: "Heartbeat", body: Array("{}".utf8))
            try await publisher.publish(message, timeout: .seconds(5))
            let received = try await withDeadline(.seconds(5), "consuming after idling") {
                for try await delivery in consumer {
                    try await delivery.ack()
                    return delivery.properties.messageID
                }
                return nil
            }
            #expect(received == message.messageID)
            for watcher in watchers { watcher.cancel() }
        }
        await environment.deleteQueues([queue])
        let seen = await states.values
        #expect(!seen.contains { $0.hasPrefix("disconnected") }, "\(seen)")
    }

    @Test func unacknowledgedMessageIsRedeliveredToTheNextConsumer() async throws {
        let environment = try BrokerTestEnvironment.require()
        let queue = BrokerTestEnvironment.uniqueQueueName()
        let publisher = Publisher(
            configuration: environment.configuration(), topology: Topology().declaringQueue(queue),
            logger: environment.logger)
        let message = OutgoingMessage(routingKey: queue, type: "Request", body: Array("{\"vm\":1}".utf8))

        try await environment.withServices([publisher]) {
            try await publisher.publish(message, timeout: .seconds(10))

            let first = Consumer(
                configuration: environment.configuration(), queue: queue, deadLetterPublisher: publisher,
                logger: environment.logger)
            let firstDelivery = try await environment.withServices([first]) {
                try await withDeadline(.seconds(10), "first delivery") {
                    for try await delivery in first { return delivery }
                    throw TestTimeout(what: "the first consumer ended")
                }
            }
            // The first consumer's connection is closed without an ack.
            #expect(firstDelivery.properties.messageID == message.messageID)
            #expect(!firstDelivery.redelivered)
            try await firstDelivery.ack()  // stale: quietly ignored

            let second = Consumer(
                configuration: environment.configuration(), queue: queue, deadLetterPublisher: publisher,
                logger: environment.logger)
            let secondDelivery = try await environment.withServices([second]) {
                try await withDeadline(.seconds(10), "redelivery") {
                    for try await delivery in second {
                        try await delivery.ack()
                        return delivery
                    }
                    throw TestTimeout(what: "the second consumer ended")
                }
            }
            #expect(secondDelivery.properties.messageID == message.messageID)
            #expect(secondDelivery.redelivered)
            #expect(secondDelivery.body == message.body)
        }
        await environment.deleteQueues([queue])
    }

    @Test func undecodableMessageIsDeadLetteredWithItsReason() async throws {
        struct Spec: Decodable { let id: Int }
        let environment = try BrokerTestEnvironment.require()
        let queue = BrokerTestEnvironment.uniqueQueueName()
        // A copy of the dead letters of its own: other tests may leave many in the shared queue,
        // or hold theirs there unacknowledged.
        let tap = BrokerTestEnvironment.uniqueQueueName()
        var topology = Topology().declaringQueue(queue)
        topology.declareDeadLetterTap(tap)
        let publisher = Publisher(configuration: environment.configuration(), topology: topology, logger: environment.logger)
        let consumer = Consumer(
            configuration: environment.configuration(), queue: queue, deadLetterPublisher: publisher,
            logger: environment.logger)
        let deadLetters = Consumer(
            configuration: environment.configuration(), queue: tap, topology: topology,
            deadLetterPublisher: publisher, logger: environment.logger)
        let message = OutgoingMessage(
            routingKey: queue, type: "Spec", body: Array("{not json".utf8), correlationID: "spec-7",
            headers: ["traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"])

        let deadLetter = try await environment.withServices([publisher, consumer, deadLetters]) {
            try await publisher.publish(message, timeout: .seconds(10))
            let decoded = try await withDeadline(.seconds(10), "consuming the bad message") {
                for try await delivery in consumer {
                    return try await delivery.decodeJSONOrDeadLetter(Spec.self) == nil
                }
                throw TestTimeout(what: "the consumer ended")
            }
            #expect(decoded, "an undecodable body must not decode")
            return try await withDeadline(.seconds(10), "finding the dead letter") {
                for try await delivery in deadLetters {
                    try await delivery.ack()
                    if delivery.properties.messageID == message.messageID { return delivery }
                }
                throw TestTimeout(what: "the dead-letter consumer ended")
            }
        }
        await environment.deleteQueues([queue, tap])

        let headers = deadLetter.properties.headers
        #expect(headers[Delivery.deadLetterReasonHeader]?.hasPrefix("undecodable body") == true)
        #expect(headers[Delivery.originalRoutingKeyHeader] == queue)
        #expect(headers[Delivery.originalQueueHeader] == queue)
        #expect(headers["traceparent"] == message.headers["traceparent"])
        #expect(deadLetter.body == message.body)
        #expect(deadLetter.properties.type == "Spec")
        #expect(deadLetter.properties.correlationID == "spec-7")
        #expect(deadLetter.routingKey == Topology.deadLetterQueue)
    }

    /// The broker closes the clients' connections mid-stream (as `rabbitmqctl close_connection`
    /// or a node restart would); they reconnect, and every confirmed message arrives.
    @Test func clientsReconnectAndNoConfirmedMessageIsLost() async throws {
        let environment = try BrokerTestEnvironment.require()
        let queue = BrokerTestEnvironment.uniqueQueueName()
        // Only this test's connections are closed: other clients may share the broker.
        let name = "n0core-test-\(UUID().uuidString.lowercased())"
        var configuration = environment.configuration()
        configuration.connectionName = name
        let publisher = Publisher(
            configuration: configuration, topology: Topology().declaringQueue(queue), logger: environment.logger)
        let consumer = Consumer(
            configuration: configuration, queue: queue, deadLetterPublisher: publisher, logger: environment.logger)
        let confirmed = Collector<String>()
        let consumed = Collector<String>()
        let publisherStates = Collector<String>()
        let consumerStates = Collector<String>()
        let drop = Collector<Int>()

        try await environment.withServices([publisher, consumer]) {
            let watchers = [
                Task { for await state in publisher.connectionStateUpdates() { await publisherStates.add("\(state)") } },
                Task { for await state in consumer.connectionStateUpdates() { await consumerStates.add("\(state)") } },
            ]
            let consuming = Task {
                for try await delivery in consumer {
                    await consumed.add(delivery.properties.messageID ?? "")
                    try await delivery.ack()
                }
            }

            try await withDeadline(.seconds(40), "publishing across a dropped connection") {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        while await confirmed.values.count < 40 { try await Task.sleep(for: .milliseconds(10)) }
                        await drop.add(try await environment.closeConnections(namedWithPrefix: name))
                    }
                    for publisherTask in 0..<4 {
                        group.addTask {
                            var afterDrop = 0
                            var index = 0
                            // 50 each, and keep going until 10 each went out after the drop.
                            while index < 50 || afterDrop < 10 {
                                let dropped = await !drop.values.isEmpty
                                let message = OutgoingMessage(
                                    routingKey: queue, type: "Notify",
                                    body: Array("{\"task\":\(publisherTask),\"n\":\(index)}".utf8))
                                try await publisher.publish(message, timeout: .seconds(20))
                                await confirmed.add(message.messageID)
                                if dropped { afterDrop += 1 }
                                index += 1
                                try await Task.sleep(for: .milliseconds(5))
                            }
                        }
                    }
                    try await group.waitForAll()
                }
            }

            let expected = await confirmed.unique
            try await withDeadline(.seconds(20), "consuming every confirmed message") {
                while await !expected.isSubset(of: consumed.unique) { try await Task.sleep(for: .milliseconds(50)) }
            }
            consuming.cancel()
            for watcher in watchers { watcher.cancel() }
        }
        await environment.deleteQueues([queue])

        #expect(await drop.values == [2], "the broker must close the publisher's and the consumer's connection")
        let expected = await confirmed.unique
        #expect(expected.count >= 200)
        #expect(expected.isSubset(of: await consumed.unique))
        // Connected, closed by the test, connected again. (A broker under load may also refuse
        // a connection while it opens, e.g. with INTERNAL_ERROR; that is retried like any other.)
        for states in [await publisherStates.values, await consumerStates.values] {
            let forced = states.firstIndex { $0.hasPrefix("disconnected") && $0.contains("CONNECTION_FORCED") }
            #expect(forced.map { states[..<$0].contains("connected") } == true, "\(states)")
            #expect(forced.map { states[$0...].contains("connected") } == true, "\(states)")
        }
    }
}

/// The dead-letter queue is bounded (deploy/rabbitmq-setup.sh dead-letter-limit): past its
/// length the oldest messages are dropped, so a flood of bad messages cannot fill the broker.
@Suite("Dead-letter queue limit (RabbitMQ)", .enabled(if: IntegrationEnvironment.hasBroker))
struct DeadLetterLimitTests {
    @Test func theOldestDeadLettersGoFirstPastTheLimit() async throws {
        let vhost = try await ScratchVirtualHost.create(base: try IntegrationEnvironment.requireBroker(), prefix: "n0t-dlq")
        defer { vhost.delete() }
        try await HostCommand.checkOffPool(["env", "N0CORE_DEAD_LETTER_MAX_LENGTH=3", "bash", ScratchVirtualHost.setupScript,
                                            "dead-letter-limit", vhost.name])
        let environment = try BrokerTestEnvironment.require()
        var configuration = environment.configuration("n0core-dlq-test")
        configuration.url = vhost.url
        let publisher = Publisher(configuration: configuration, logger: environment.logger)
        let consumer = Consumer(configuration: configuration, queue: Topology.deadLetterQueue, deadLetterPublisher: publisher,
                                logger: environment.logger)
        let sent = (0..<5).map { index in
            OutgoingMessage(routingKey: Topology.deadLetterQueue, type: "Spec", body: Array("{\"n\":\(index)}".utf8),
                            exchange: "")
        }
        let kept = try await environment.withServices([publisher]) {
            for message in sent { try await publisher.publish(message, timeout: .seconds(10)) }
            return try await environment.withServices([consumer]) {
                try await withDeadline(.seconds(20), "reading the dead letters") {
                    var ids: [String] = []
                    for try await delivery in consumer {
                        ids.append(delivery.properties.messageID ?? "")
                        try await delivery.ack()
                        if ids.count == 3 { break }
                    }
                    return ids
                }
            }
        }
        #expect(kept == sent.suffix(3).map(\.messageID))
    }
}
