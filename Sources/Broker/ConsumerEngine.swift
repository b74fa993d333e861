import Logging

/// The consumer's side of its worker thread: subscribes to the queue on every connection,
/// hands deliveries to the async sequence, and sends acks and rejects for them.
final class ConsumerEngine: ConnectionEngine {
    enum Settlement: Sendable {
        case ack
        case reject(requeue: Bool)
    }

    enum Command: Sendable {
        case settle(tag: UInt64, generation: UInt64, Settlement, CheckedContinuation<Void, Never>)
    }

    private let topology: Topology
    private let queue: String
    private let prefetch: UInt16
    private let logger: Logger
    private var deliveries: AsyncStream<Delivery>.Continuation?
    private var warnedLegacyQueues: Set<String> = []
    /// What deliveries use to settle themselves; weak, so that a dropped consumer is freed.
    weak var link: ConsumerLink?

    init(queue: String, topology: Topology, prefetch: UInt16, deliveries: AsyncStream<Delivery>.Continuation, logger: Logger) {
        self.queue = queue
        self.topology = topology
        self.prefetch = prefetch
        self.deliveries = deliveries
        self.logger = logger
    }

    func sessionOpened(_ session: Session) throws {
        try session.connection.declare(topology).log(to: logger, warned: &warnedLegacyQueues)
        try session.connection.setPrefetch(prefetch)
        try session.connection.consume(queue)
    }

    func perform(_ command: Command, session: Session?) throws {
        switch command {
        case .settle(let tag, let generation, let settlement, let continuation):
            // The caller is told "done" either way: an ack that cannot be sent is moot, the
            // broker redelivers the message on the next connection.
            defer { continuation.resume() }
            guard let session, session.generation == generation else {
                logger.debug("ignoring the settlement of a delivery from a previous connection", metadata: [
                    "delivery_tag": "\(tag)", "delivery_generation": "\(generation)",
                ])
                return
            }
            switch settlement {
            case .ack: try session.connection.ack(tag)
            case .reject(let requeue): try session.connection.reject(tag, requeue: requeue)
            }
        }
    }

    func handle(_ event: ChannelEvent, session: Session) throws {
        switch event {
        case .delivery(let incoming):
            guard let link else { return }
            deliveries?.yield(Delivery(incoming, queue: queue, generation: session.generation, link: link))
        case .consumerCancelled:
            // Resubscribe on a fresh connection, which also re-declares the queue.
            throw BrokerError.consumerCancelled(queue: queue)
        case .blocked, .unblocked, .ack, .nack, .returned:
            break
        }
    }

    func service(session: Session, now: ContinuousClock.Instant) throws {}

    var nextDeadline: ContinuousClock.Instant? { nil }

    /// Unacknowledged deliveries are not waited for: closing the channel requeues them.
    var isDrained: Bool { true }

    func sessionEnded(error: BrokerError?) {}

    func stopped() {
        deliveries?.finish()
        deliveries = nil
    }
}
