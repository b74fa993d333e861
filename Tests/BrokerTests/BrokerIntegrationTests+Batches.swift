import Foundation
import TestSupport
import Testing

@testable import Broker

/// Publishing a batch with one wait for its confirms, and acks gathered into multiple-acks.
/// Part of the serialized integration suite: another of its tests closes every connection of
/// the vhost, which would redeliver or republish what these tests count.
extension BrokerIntegrationTests {
    @Test func aBatchIsConfirmedInOrderAndAnUnroutableMessageFailsAlone() async throws {
        let environment = try BrokerTestEnvironment.require()
        let queue = BrokerTestEnvironment.uniqueQueueName()
        let publisher = Publisher(
            configuration: environment.configuration(), topology: Topology().declaringQueue(queue), logger: environment.logger)
        let consumer = Consumer(
            configuration: environment.configuration(prefetch: 64), queue: queue, deadLetterPublisher: publisher,
            logger: environment.logger)
        var batch = (0..<200).map { OutgoingMessage(routingKey: queue, type: "Request", body: Array("{\"n\":\($0)}".utf8)) }
        let nowhere = OutgoingMessage(routingKey: "test.nobody-listens.\(UUID().uuidString)", type: "Notify", body: Array("{}".utf8))
        batch.insert(nowhere, at: 117)

        let (results, received) = try await environment.withServices([publisher, consumer]) {
            async let deliveries = withDeadline(.seconds(30), "consuming 200 messages") { try await consumer.acknowledged(200) }
            let results = await publisher.publishAll(batch, timeout: .seconds(20))
            return (results, try await deliveries)
        }
        await environment.deleteQueues([queue])

        #expect(results.count == batch.count)
        for (index, result) in results.enumerated() {
            switch result {
            case .success:
                #expect(index != 117, "the unroutable message was confirmed")
            case .failure(let error):
                #expect(index == 117, "message \(index) failed: \(error)")
                guard case .unroutable(_, let routingKey, _) = error as? BrokerError else {
                    Issue.record("expected unroutable, got \(error)")
                    continue
                }
                #expect(routingKey == nowhere.routingKey)
            }
        }
        #expect(received.map(\.properties.messageID) == batch.filter { $0.routingKey == queue }.map(\.messageID))
    }

    @Test func anEmptyBatchReturnsAtOnce() async throws {
        let environment = try BrokerTestEnvironment.require()
        let publisher = Publisher(configuration: environment.configuration(), logger: environment.logger)
        let results = await publisher.publishAll([], timeout: .seconds(1))
        #expect(results.isEmpty)
    }

    /// Acks asked for together are sent as multiple-acks where they form a run from the oldest
    /// unsettled delivery; one left unacknowledged in the middle is not covered by them.
    @Test func gatheredAcksNeverCoverADeliveryLeftUnsettled() async throws {
        let environment = try BrokerTestEnvironment.require()
        let queue = BrokerTestEnvironment.uniqueQueueName()
        let publisher = Publisher(
            configuration: environment.configuration(), topology: Topology().declaringQueue(queue), logger: environment.logger)
        let sent = (0..<40).map { OutgoingMessage(routingKey: queue, type: "Request", body: Array("{\"n\":\($0)}".utf8)) }
        let kept = sent[7].messageID

        try await environment.withServices([publisher]) {
            for result in await publisher.publishAll(sent, timeout: .seconds(20)) { try result.get() }

            let first = Consumer(
                configuration: environment.configuration(prefetch: 64), queue: queue, deadLetterPublisher: publisher,
                logger: environment.logger)
            try await environment.withServices([first]) {
                let deliveries = try await withDeadline(.seconds(20), "40 deliveries") {
                    var deliveries: [Delivery] = []
                    for try await delivery in first {
                        deliveries.append(delivery)
                        if deliveries.count == sent.count { break }
                    }
                    return deliveries
                }
                #expect(deliveries.map(\.properties.messageID) == sent.map(\.messageID))
                // All acks at once and out of order, but the eighth's: most go out in one turn.
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for delivery in deliveries.shuffled() where delivery.properties.messageID != kept {
                        group.addTask { try await delivery.ack() }
                    }
                    try await group.waitForAll()
                }
            }

            // The one left unsettled comes again; the acknowledged ones do not. (Once, during
            // the full suite on a loaded machine, one other message came back too; which one
            // was not recorded. Delivery is at least once, and consumers recognise a repeat by
            // its message id, so one is allowed; without the acks all 39 would come back.)
            let second = Consumer(
                configuration: environment.configuration(prefetch: 64), queue: queue, deadLetterPublisher: publisher,
                logger: environment.logger)
            let again = try await environment.withServices([second]) {
                let collected = Collector<String>()
                do {
                    try await withDeadline(.seconds(5), "redeliveries") {
                        for try await delivery in second {
                            let id = delivery.properties.messageID ?? "-"
                            let index = sent.firstIndex { $0.messageID == id }.map(String.init) ?? "not sent"
                            await collected.add("\(index)\(delivery.redelivered ? "" : " (not redelivered)")")
                            try await delivery.ack()
                        }
                    }
                } catch is TestTimeout {}
                return await collected.values
            }
            #expect(again.contains("7"), "the unsettled delivery comes back: \(again)")
            #expect(again.count <= 2, "acknowledged deliveries came back: \(again)")
        }
        await environment.deleteQueues([queue])
    }
}
