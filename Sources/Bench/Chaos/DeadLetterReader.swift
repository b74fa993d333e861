import Broker
import Foundation
import Logging

/// One message found in `n0core.dead`.
public struct DeadLetterRecord: Sendable, Hashable, Codable {
    public var messageID: String?
    public var type: String?
    public var appID: String?
    public var correlationID: String?
    /// `x-n0core-reason`, set by the service that dead-lettered it.
    public var reason: String?
    /// `x-n0core-original-queue` (or the broker's `x-first-death-queue`).
    public var queue: String?
    /// The broker's `x-first-death-reason` (`rejected`, `delivery_limit`, …) when the broker
    /// moved it rather than a service.
    public var brokerReason: String?
    /// The first bytes of the body, for the report.
    public var bodyPrefix: String

    public init(messageID: String?, type: String?, appID: String? = nil, correlationID: String? = nil,
                reason: String?, queue: String?, brokerReason: String? = nil, bodyPrefix: String = "") {
        self.messageID = messageID
        self.type = type
        self.appID = appID
        self.correlationID = correlationID
        self.reason = reason
        self.queue = queue
        self.brokerReason = brokerReason
        self.bodyPrefix = bodyPrefix
    }

    init(_ delivery: Delivery) {
        let headers = delivery.properties.headers
        self.init(
            messageID: delivery.properties.messageID, type: delivery.properties.type, appID: delivery.properties.appID,
            correlationID: delivery.properties.correlationID,
            reason: headers[Delivery.deadLetterReasonHeader],
            queue: headers[Delivery.originalQueueHeader] ?? headers["x-first-death-queue"],
            brokerReason: headers["x-first-death-reason"],
            bodyPrefix: String(decoding: delivery.body.prefix(160), as: UTF8.self))
    }
}

/// Reads and acknowledges everything in the dead-letter queue: what a chaos run leaves there.
public enum DeadLetterReader {
    /// Consumes `n0core.dead` until nothing has arrived for `idle`; at most `limit` messages.
    public static func drain(configuration: BrokerConfiguration, idle: Duration = .seconds(3), limit: Int = 100_000,
                             logger: Logger) async throws -> [DeadLetterRecord] {
        var configuration = configuration
        configuration.prefetch = 500
        let publisher = Publisher(configuration: configuration, logger: logger)
        let consumer = Consumer(configuration: configuration, queue: Topology.deadLetterQueue,
                                deadLetterPublisher: publisher, logger: logger)
        let collected = Collected()
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await publisher.run() }
            group.addTask { try await consumer.run() }
            group.addTask {
                for try await delivery in consumer {
                    await collected.add(DeadLetterRecord(delivery))
                    // A lost ack would bring the message back and count it twice: fail instead.
                    try await delivery.ack()
                }
            }
            defer { group.cancelAll() }
            try await BrokerFloor.waitUntilConnected([publisher, consumer])
            await collected.touch()
            while true {
                try await Task.sleep(for: .milliseconds(200))
                let (count, last) = await collected.state()
                if count >= limit || ContinuousClock.now - last >= idle { break }
            }
            return await collected.records
        }
    }
}

private actor Collected {
    var records: [DeadLetterRecord] = []
    var last = ContinuousClock.now

    func add(_ record: DeadLetterRecord) {
        records.append(record)
        last = .now
    }

    func touch() {
        last = .now
    }

    func state() -> (Int, ContinuousClock.Instant) {
        (records.count, last)
    }
}
