import Logging
import ServiceLifecycle

/// Consumes one queue over its own connection and thread, as an async sequence of deliveries.
///
/// On every (re)connect it declares its topology (the queue included), sets the prefetch and
/// subscribes with manual acknowledgement. Acknowledge a delivery only after its effect is
/// committed; anything not acknowledged when a connection dies or the consumer stops is
/// redelivered by the broker (with `redelivered` set), so handlers must be idempotent and
/// deduplicate by `message_id`.
///
/// ```swift
/// let consumer = Consumer(configuration: broker, queue: "scheduler", deadLetterPublisher: publisher, logger: logger)
/// // in the handling service's run():
/// for try await delivery in consumer.cancelOnGracefulShutdown() {
///     guard let spec = try await delivery.decodeJSONOrDeadLetter(Spec.self) else { continue }
///     try await handle(spec)
///     try await delivery.ack()
/// }
/// ```
/// Iterate it from one task only.
public final class Consumer: Service, BrokerConnectionReporting {
    /// The queue consumed.
    public let queue: String
    let link: ConsumerLink
    let deliveries: AsyncStream<Delivery>

    /// - Parameters:
    ///   - queue: declared as a work queue (``Topology/declareQueue(_:bindingKeys:)``), bound with
    ///     its own name and `bindingKeys`.
    ///   - topology: anything else to declare on connect.
    ///   - deadLetterPublisher: carries ``Delivery/deadLetter(reason:)`` copies to the dead-letter
    ///     queue with their reason.
    public convenience init(
        configuration: BrokerConfiguration,
        queue: String,
        bindingKeys: [String] = [],
        topology: Topology = Topology(),
        deadLetterPublisher: Publisher,
        logger: Logger
    ) {
        self.init(configuration: configuration, queue: queue, declaring: topology.declaringQueue(queue, bindingKeys: bindingKeys),
                  deadLetterPublisher: deadLetterPublisher, logger: logger)
    }

    /// A consumer of this process's own reply queue (``Topology/declareReplyQueue(_:bindingKey:)``),
    /// declared again on every connection, since it goes with the last one.
    public convenience init(
        configuration: BrokerConfiguration,
        replyQueue: String,
        bindingKey: String,
        deadLetterPublisher: Publisher,
        logger: Logger
    ) {
        var topology = Topology()
        topology.declareReplyQueue(replyQueue, bindingKey: bindingKey)
        self.init(configuration: configuration, queue: replyQueue, declaring: topology,
                  deadLetterPublisher: deadLetterPublisher, logger: logger)
    }

    init(configuration: BrokerConfiguration, queue: String, declaring topology: Topology,
         deadLetterPublisher: Publisher, logger: Logger) {
        self.queue = queue
        let (stream, continuation) = AsyncStream.makeStream(of: Delivery.self)
        deliveries = stream
        var logger = logger
        logger[metadataKey: "broker.queue"] = "\(queue)"
        let engine = ConsumerEngine(
            queue: queue, topology: topology,
            prefetch: configuration.prefetch, deliveries: continuation, logger: logger)
        let worker = ConnectionWorker(
            configuration: configuration, role: "consumer \(queue)", engine: engine, logger: logger)
        link = ConsumerLink(worker: worker, publisher: deadLetterPublisher, logger: worker.logger)
        engine.link = link
    }

    /// Connects, consumes and reconnects until graceful shutdown or cancellation; then closes the
    /// connection (unacknowledged deliveries go back to the queue) and ends the sequence.
    public func run() async throws {
        try await withGracefulShutdownHandler {
            try await link.worker.run()
        } onGracefulShutdown: {
            self.link.worker.requestStop()
        }
    }

    public var connectionState: BrokerConnectionState { link.worker.status.state }

    public func connectionStateUpdates() -> AsyncStream<BrokerConnectionState> { link.worker.status.updates() }
}

extension Consumer: AsyncSequence {
    public typealias Element = Delivery
    public typealias Failure = any Error

    /// Yields deliveries as they arrive; ends when the consumer has shut down.
    ///
    /// Deliveries that arrived on a connection that has since been lost are skipped: the broker
    /// has already put them back in the queue and will deliver them again.
    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: AsyncStream<Delivery>.AsyncIterator
        let link: ConsumerLink

        public mutating func next() async throws -> Delivery? {
            while let delivery = await base.next() {
                if delivery.generation == link.worker.currentGeneration { return delivery }
                link.logger.debug("skipping a delivery from a lost connection; it will be redelivered", metadata: [
                    "message_id": "\(delivery.properties.messageID ?? "-")",
                ])
            }
            return nil
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: deliveries.makeAsyncIterator(), link: link)
    }
}

/// What a delivery needs from its consumer to settle itself: the worker that owns the
/// connection it came on, and the publisher for dead-letter copies.
final class ConsumerLink: Sendable {
    let worker: ConnectionWorker<ConsumerEngine>
    let publisher: Publisher
    let logger: Logger

    init(worker: ConnectionWorker<ConsumerEngine>, publisher: Publisher, logger: Logger) {
        self.worker = worker
        self.publisher = publisher
        self.logger = logger
    }

    /// Sends an ack or reject on the delivery's own connection, or drops it quietly when that
    /// connection is gone (a new one must not see an old delivery tag: that would acknowledge a
    /// different message, or make the broker close the channel).
    func settle(_ delivery: Delivery, _ settlement: ConsumerEngine.Settlement) async {
        guard delivery.generation == worker.currentGeneration else {
            logger.debug("not settling a delivery from a lost connection; it will be redelivered", metadata: [
                "message_id": "\(delivery.properties.messageID ?? "-")",
            ])
            return
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let command = ConsumerEngine.Command.settle(
                tag: delivery.deliveryTag, generation: delivery.generation, settlement, continuation)
            if worker.submit(command) != .accepted { continuation.resume() }
        }
    }
}
