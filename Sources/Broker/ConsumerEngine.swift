import Logging

/// The consumer's side of its worker thread: subscribes to the queue on every connection,
/// hands deliveries to the async sequence, and sends acks and rejects for them.
///
/// Acks are gathered over one turn of the worker loop and sent together: the longest run of
/// acknowledged deliveries from the oldest unsettled one as one multiple-ack, any other
/// acknowledged delivery on its own. Rejects go out at once.
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
    /// This connection's deliveries not settled yet, in delivery order (tags ascend).
    private var unsettled: [UInt64] = []
    /// Acks asked for since the last turn, and who waits for each to be sent.
    private var acked: [UInt64: CheckedContinuation<Void, Never>] = [:]
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
        unsettled.removeAll()
    }

    func perform(_ command: Command, session: Session?) throws {
        switch command {
        case .settle(let tag, let generation, let settlement, let continuation):
            // The caller is told "done" either way: an ack that cannot be sent is moot, the
            // broker redelivers the message on the next connection.
            guard let session, session.generation == generation else {
                logger.debug("ignoring the settlement of a delivery from a previous connection", metadata: [
                    "delivery_tag": "\(tag)", "delivery_generation": "\(generation)",
                ])
                continuation.resume()
                return
            }
            switch settlement {
            case .ack:
                // Sent at the end of this turn (``service(session:now:)``), with the others.
                if let earlier = acked.updateValue(continuation, forKey: tag) { earlier.resume() }
            case .reject(let requeue):
                defer { continuation.resume() }
                try session.connection.reject(tag, requeue: requeue)
                unsettled.removeAll { $0 == tag }
            }
        }
    }

    func handle(_ event: ChannelEvent, session: Session) throws {
        switch event {
        case .delivery(let incoming):
            // Tracked even when nobody takes it, so no multiple-ack covers it.
            unsettled.append(incoming.deliveryTag)
            guard let link else { return }
            deliveries?.yield(Delivery(incoming, queue: queue, generation: session.generation, link: link))
        case .consumerCancelled:
            // Resubscribe on a fresh connection, which also re-declares the queue.
            throw BrokerError.consumerCancelled(queue: queue)
        case .blocked, .unblocked, .ack, .nack, .returned:
            break
        }
    }

    /// Sends the acks gathered this turn.
    func service(session: Session, now: ContinuousClock.Instant) throws {
        guard !acked.isEmpty else { return }
        let waiting = acked
        acked.removeAll()
        defer { for continuation in waiting.values { continuation.resume() } }
        let run = unsettled.prefix { waiting[$0] != nil }
        if let last = run.last {
            try session.connection.ack(last, multiple: run.count > 1)
        }
        let alone = waiting.keys.filter { !run.contains($0) }.sorted()
        for tag in alone {
            try session.connection.ack(tag)
        }
        let sent = Set(waiting.keys)
        unsettled.removeAll { sent.contains($0) }
    }

    var nextDeadline: ContinuousClock.Instant? { nil }

    /// Unacknowledged deliveries are not waited for (closing the channel requeues them); acks
    /// asked for are sent first.
    var isDrained: Bool { acked.isEmpty }

    func sessionEnded(error: BrokerError?) {
        // The broker requeues what this connection did not settle; nothing is left to send.
        for continuation in acked.values { continuation.resume() }
        acked.removeAll()
        unsettled.removeAll()
    }

    func stopped() {
        for continuation in acked.values { continuation.resume() }
        acked.removeAll()
        deliveries?.finish()
        deliveries = nil
    }
}
