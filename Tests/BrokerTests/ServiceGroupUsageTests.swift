import Logging
import ServiceLifecycle
import TestSupport
import Testing

@testable import Broker

/// How a service is meant to use the broker: publisher and consumer in the `ServiceGroup`,
/// before the service that handles deliveries, so shutdown stops the handler first, then the
/// consumer, then the publisher.
struct EchoHandler: Service {
    let consumer: Consumer
    let handled: Collector<String>

    func run() async throws {
        for try await delivery in consumer.cancelOnGracefulShutdown() {
            await handled.add(delivery.properties.messageID ?? "")
            try await delivery.ack()
        }
    }
}

extension BrokerIntegrationTests {
    @Test func servicesRunAndShutDownInAServiceGroup() async throws {
        let environment = try BrokerTestEnvironment.require()
        let queue = BrokerTestEnvironment.uniqueQueueName()
        let publisher = Publisher(
            configuration: environment.configuration(), topology: Topology().declaringQueue(queue),
            logger: environment.logger)
        let consumer = Consumer(
            configuration: environment.configuration(), queue: queue, deadLetterPublisher: publisher,
            logger: environment.logger)
        let handled = Collector<String>()
        let group = ServiceGroup(
            services: [publisher, consumer, EchoHandler(consumer: consumer, handled: handled)],
            logger: environment.logger)

        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var sent: Set<String> = []
            for index in 0..<10 {
                let message = OutgoingMessage(routingKey: queue, type: "Notify", body: Array("{\"n\":\(index)}".utf8))
                try await publisher.publish(message, timeout: .seconds(10))
                sent.insert(message.messageID)
            }
            try await withDeadline(.seconds(10), "handling 10 messages") { [sent] in
                while await handled.unique != sent { try await Task.sleep(for: .milliseconds(20)) }
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(publisher.connectionState == .shutDown)
        #expect(consumer.connectionState == .shutDown)
        await environment.deleteQueues([queue])
    }

    @Test func consumerResubscribesWhenItsQueueIsDeleted() async throws {
        let environment = try BrokerTestEnvironment.require()
        let queue = BrokerTestEnvironment.uniqueQueueName()
        let publisher = Publisher(configuration: environment.configuration(), logger: environment.logger)
        let consumer = Consumer(
            configuration: environment.configuration(), queue: queue, deadLetterPublisher: publisher,
            logger: environment.logger)
        try await environment.withServices([publisher, consumer]) {
            try await withDeadline(.seconds(10), "connecting") {
                while !consumer.isConnected { try await Task.sleep(for: .milliseconds(20)) }
            }
            // An operator deletes the queue: the broker cancels the consumer, which reconnects and
            // declares the queue again.
            await environment.deleteQueues([queue])
            let message = OutgoingMessage(routingKey: queue, type: "Request", body: Array("{}".utf8))
            try await withDeadline(.seconds(10), "publishing once the queue is back") {
                while true {
                    do {
                        return try await publisher.publish(message, timeout: .seconds(5))
                    } catch BrokerError.unroutable {
                        try await Task.sleep(for: .milliseconds(50))
                    }
                }
            }
            let received = try await withDeadline(.seconds(10), "consuming from the re-declared queue") {
                for try await delivery in consumer {
                    try await delivery.ack()
                    return delivery.properties.messageID
                }
                return nil
            }
            #expect(received == message.messageID)
        }
        await environment.deleteQueues([queue])
    }
}
