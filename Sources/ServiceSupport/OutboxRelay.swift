import Broker
import Logging
import ServiceLifecycle
import Store

/// Publishes what transactions queued in the outbox, with publisher confirms, and marks it sent:
/// a service's state change and the messages announcing it commit together, and the messages
/// leave even if the broker was down at commit time.
public struct OutboxRelay: Service {
    let store: Store
    let publisher: Publisher
    let logger: Logger
    /// Bound on one publish, so a dead broker does not hold the outbox rows' locks for ever.
    let publishTimeout: Duration

    public init(store: Store, publisher: Publisher, logger: Logger, publishTimeout: Duration = .seconds(10)) {
        self.store = store
        self.publisher = publisher
        self.logger = logger
        self.publishTimeout = publishTimeout
    }

    public func run() async throws {
        let publisher = self.publisher
        let logger = self.logger
        let timeout = publishTimeout
        await cancelWhenGracefulShutdown {
            await store.runOutboxRelay(pollInterval: .milliseconds(500)) { records in
                for record in records {
                    let message = OutgoingMessage(record)
                    do {
                        try await publisher.publish(message, timeout: timeout)
                    } catch let BrokerError.unroutable(_, routingKey, reason) {
                        // No queue takes it (an agent whose queue was deleted): retrying would
                        // fail for ever and hold back every row after it, so it goes to the
                        // dead-letter queue. Other failures are transient and retried.
                        logger.error("an outbox message has no queue; dead-lettered", metadata: [
                            "message_id": "\(message.messageID)", "routing_key": "\(routingKey)", "reason": "\(reason)",
                        ])
                        try await publisher.publish(
                            message.deadLettered(reason: "unroutable from the outbox: \(reason)"), timeout: timeout)
                    }
                }
            }
        }
    }
}
