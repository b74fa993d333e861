import Broker
import Foundation
import Logging

/// The broker's own latency, measured with the project's ``Broker/Publisher`` (confirms) and
/// ``Broker/Consumer`` on a private quorum queue declared like every work queue: one message at
/// a time, so each sample is one uncontended hop.
public enum BrokerFloor {
    /// Publish → delivery on the consumer, and publish → confirm, over `samples` messages of
    /// about the size of a `Request` (after `warmup` unrecorded ones). The queue is deleted
    /// afterwards.
    public static func measure(
        configuration: BrokerConfiguration, samples: Int, warmup: Int = 50, logger: Logger
    ) async throws -> (roundTrip: LatencySummary, confirm: LatencySummary) {
        let queue = "n0core-bench-floor-" + UUID().uuidString.prefix(8).lowercased()
        let publisher = Publisher(configuration: configuration, topology: Topology().declaringQueue(queue), logger: logger)
        let consumer = Consumer(configuration: configuration, queue: queue, deadLetterPublisher: publisher, logger: logger)
        let arrivals = Arrivals()
        let body = [UInt8](repeating: UInt8(ascii: "x"), count: 1_024)
        let result = try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await publisher.run() }
            group.addTask { try await consumer.run() }
            group.addTask {
                for try await delivery in consumer {
                    let at = ContinuousClock.now
                    try? await delivery.ack()
                    await arrivals.record(delivery.properties.messageID ?? "", at: at)
                }
            }
            defer { group.cancelAll() }
            try await waitUntilConnected([publisher, consumer])
            var roundTrips: [Duration] = []
            var confirms: [Duration] = []
            for index in 0..<(warmup + samples) {
                let id = UUID().uuidString.lowercased()
                let message = OutgoingMessage(routingKey: queue, type: "BenchFloor", body: body, messageID: id)
                let start = ContinuousClock.now
                try await publisher.publish(message, timeout: .seconds(10))
                let confirmed = ContinuousClock.now
                guard let arrived = await arrivals.wait(for: id, timeout: .seconds(10)) else {
                    throw BenchError("the broker floor's message \(index) was confirmed but not delivered within 10 s")
                }
                if index >= warmup {
                    roundTrips.append(arrived - start)
                    confirms.append(confirmed - start)
                }
            }
            return (LatencySummary(roundTrips), LatencySummary(confirms))
        }
        try? await QueueMaintenance.delete([queue], configuration: configuration)
        return result
    }

    static func waitUntilConnected(_ connections: [any BrokerConnectionReporting]) async throws {
        let deadline = ContinuousClock.now + .seconds(15)
        while !connections.allSatisfy(\.isConnected) {
            guard ContinuousClock.now < deadline else {
                throw BenchError("could not connect to the broker within 15 s")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}

/// Delivery times by message id, for the publishing side to wait on.
private actor Arrivals {
    private var arrived: [String: ContinuousClock.Instant] = [:]
    private var waiters: [String: CheckedContinuation<ContinuousClock.Instant?, Never>] = [:]

    func record(_ id: String, at instant: ContinuousClock.Instant) {
        if let waiter = waiters.removeValue(forKey: id) {
            waiter.resume(returning: instant)
        } else {
            arrived[id] = instant
        }
    }

    func wait(for id: String, timeout: Duration) async -> ContinuousClock.Instant? {
        if let instant = arrived.removeValue(forKey: id) { return instant }
        let expiry = Task { [weak self] in
            try await Task.sleep(for: timeout)
            await self?.expire(id)
        }
        defer { expiry.cancel() }
        return await withCheckedContinuation { waiters[id] = $0 }
    }

    private func expire(_ id: String) {
        waiters.removeValue(forKey: id)?.resume(returning: nil)
    }
}
