import Foundation
import Logging
import Testing

@testable import Broker

/// Failover on a three-node RabbitMQ cluster, run by `deploy/broker-cluster-test.sh` (which
/// starts the cluster and stops a node half-way): numbered messages are published with confirms
/// into a quorum queue while the node both connections are on is stopped; every confirmed
/// message must still be consumed (at least once).
@Suite("Broker cluster failover", .enabled(if: BrokerClusterRun.current != nil))
struct BrokerClusterTests {
    /// Received message numbers, and how many arrived more than once.
    actor Tally {
        private(set) var distinct = Set<Int>()
        private(set) var duplicates = 0

        func add(_ number: Int) -> Int {
            if !distinct.insert(number).inserted { duplicates += 1 }
            return distinct.count
        }
    }

    @Test func noConfirmedMessageIsLostWhenTheConnectedNodeStops() async throws {
        let run = try #require(BrokerClusterRun.current)
        var logger = Logger(label: "n0core.broker.cluster-test")
        logger.logLevel = .info
        let environment = BrokerTestEnvironment(url: run.urls[0], logger: logger)
        let configuration = BrokerConfiguration(
            url: run.urls[0], failoverURLs: Array(run.urls.dropFirst()), appID: "n0core-cluster-test",
            heartbeat: .seconds(5), reconnectBackoff: ReconnectBackoff(initial: .milliseconds(50), maximum: .seconds(1)))
        let queue = BrokerTestEnvironment.uniqueQueueName()
        let publisher = Publisher(configuration: configuration, topology: Topology().declaringQueue(queue), logger: logger)
        let consumer = Consumer(configuration: configuration, queue: queue, deadLetterPublisher: publisher, logger: logger)
        let tally = Tally()
        let total = run.messages

        let (confirmed, failed) = try await environment.withServices([publisher, consumer]) {
            async let consumed: Void = withDeadline(.seconds(300), "consuming \(total) messages") {
                for try await delivery in consumer {
                    let number = Int(String(decoding: delivery.body, as: UTF8.self)) ?? -1
                    // Acked after counting: a delivery whose connection died is redelivered, and
                    // counted again as a duplicate.
                    let distinct = await tally.add(number)
                    try await delivery.ack()
                    if distinct == total { return }
                }
            }
            let outcome = try await publish(total, to: queue, with: publisher, run: run)
            do {
                try await consumed
            } catch let timeout as TestTimeout {
                // Still write the table: what was lost is the finding.
                Issue.record("\(timeout)")
            }
            return outcome
        }

        let received = await tally.distinct
        let lost = (0..<total).count { !received.contains($0) }
        let duplicates = await tally.duplicates
        try """
            sent=\(total)
            confirmed=\(confirmed)
            failed=\(failed)
            received=\(received.count)
            duplicates=\(duplicates)
            lost=\(lost)

            """.write(to: run.resultFile, atomically: true, encoding: .utf8)
        #expect(failed == 0)
        #expect(lost == 0)
        // The queue is not deleted: the cluster it lives on is thrown away by the script.
    }

    /// Publishes `total` numbered messages, 64 at a time and about 1000 a second, so the node
    /// stop falls in the middle: ``BrokerClusterRun/runningMark`` is created after a fifth of
    /// them, and publishing past three fifths waits for the script's ``BrokerClusterRun/stoppedMark``.
    /// Returns how many were confirmed and how many failed.
    private func publish(
        _ total: Int, to queue: String, with publisher: Publisher, run: BrokerClusterRun
    ) async throws -> (confirmed: Int, failed: Int) {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            var confirmed = 0
            var failed = 0
            func collect() async throws {
                if try await group.next() == true { confirmed += 1 } else { failed += 1 }
            }
            for number in 0..<total {
                if number == total / 5 { try Data().write(to: run.runningMark) }
                if number == total * 3 / 5 { try await run.waitFor(run.stoppedMark, upTo: .seconds(120)) }
                if number >= 64 { try await collect() }
                group.addTask {
                    let message = OutgoingMessage(routingKey: queue, type: "Notify", body: Array("\(number)".utf8))
                    do {
                        try await publisher.publish(message, timeout: .seconds(120))
                        return true
                    } catch {
                        Issue.record("message \(number) not confirmed: \(error)")
                        return false
                    }
                }
                try await Task.sleep(for: .milliseconds(1))
            }
            while !group.isEmpty { try await collect() }
            return (confirmed, failed)
        }
    }
}
