/// The broker objects n0core relies on, declared by every publisher and consumer each time it
/// (re)connects.
///
/// Declaring on every connect makes a fresh or wiped broker usable without an operator step,
/// and is idempotent as long as every service declares the same objects with the same
/// arguments — which is why the arguments live here and nowhere else.
///
/// - One durable topic exchange, ``exchange``.
/// - One durable quorum queue per routing key (``declareQueue(_:bindingKeys:)``), bound to the
///   exchange with its own name, dead-lettering into ``deadLetterQueue``: a delivery rejected
///   without requeue (or redelivered more than ``deliveryLimit`` times, e.g. because it crashes
///   its consumer) moves there instead of disappearing or looping.
/// - The dead-letter queue ``deadLetterQueue`` itself, reached through the direct exchange
///   ``deadLetterExchange`` (both the queues' dead-letter exchange and where a service publishes
///   a dead-lettered copy). A dedicated exchange rather than the default one, because write on
///   the default exchange would let a broker user publish into any queue by name.
///
/// A broker user with fewer rights (a hypervisor's agents) may only find some of these objects
/// and not declare them; see ``AMQPConnection/declare(_:)`` for how that and queues declared by
/// earlier releases are handled.
public struct Topology: Sendable, Hashable {
    /// The topic exchange every n0core message goes through.
    public static let exchange = "n0core"
    /// Where undecodable or poisonous messages end up, with the reason in a header.
    public static let deadLetterQueue = "n0core.dead"
    /// The direct exchange that leads to ``deadLetterQueue`` (bound with that queue's name).
    public static let deadLetterExchange = "n0core.dead-letter"

    /// A work queue and the routing keys bound to it.
    public struct Queue: Sendable, Hashable {
        public var name: String
        /// Every key the queue is bound with: its own name first, then any extra keys.
        public var bindingKeys: [String]
        /// Also bound to ``Topology/deadLetterExchange``, so it gets a copy of every dead letter.
        public var tapsDeadLetters = false
    }

    /// The work queues to declare, besides the exchange and the dead-letter queue.
    public private(set) var queues: [Queue] = []
    /// A process's private queue for answers (``declareReplyQueue(_:bindingKey:)``).
    public struct ReplyQueue: Sendable, Hashable {
        public var name: String
        public var bindingKey: String
    }

    /// The reply queues to declare.
    public private(set) var replyQueues: [ReplyQueue] = []
    /// After this many deliveries a message is dead-lettered by the broker (quorum queues'
    /// `x-delivery-limit`), so a message that kills its consumer cannot crash-loop a service.
    /// `nil` disables the limit. Changing it for an existing queue makes its re-declaration fail:
    /// every service must agree on it.
    public var deliveryLimit: Int? = 20

    public init() {}

    /// Adds a durable quorum queue bound to ``exchange`` with its own name and `bindingKeys`.
    ///
    /// ``deadLetterQueue`` is always declared (with its own arguments, unbound) and is ignored
    /// here, so a consumer of the dead letters can name it like any other queue.
    public mutating func declareQueue(_ name: String, bindingKeys: [String] = []) {
        guard name != Self.deadLetterQueue else { return }
        var keys = [name]
        for key in bindingKeys where !keys.contains(key) { keys.append(key) }
        if let index = queues.firstIndex(where: { $0.name == name }) {
            for key in keys where !queues[index].bindingKeys.contains(key) {
                queues[index].bindingKeys.append(key)
            }
        } else {
            queues.append(Queue(name: name, bindingKeys: keys))
        }
    }

    /// Adds a work queue that also receives a copy of every dead letter, for a reader that must
    /// see them without taking them from ``deadLetterQueue`` (where other readers would hold
    /// them unacknowledged). Only copies routed after it is declared reach it.
    public mutating func declareDeadLetterTap(_ name: String) {
        declareQueue(name)
        if let index = queues.firstIndex(where: { $0.name == name }) { queues[index].tapsDeadLetters = true }
    }

    /// Adds a queue for answers to this process only (a console's log from an agent): classic,
    /// exclusive to the connection that declares it and deleted with it, bound to ``exchange``
    /// with `bindingKey`. Nothing in it outlives the process, and an answer sent while it has no
    /// consumer is unroutable rather than kept: whoever asked has stopped waiting.
    public mutating func declareReplyQueue(_ name: String, bindingKey: String) {
        guard !replyQueues.contains(where: { $0.name == name }) else { return }
        replyQueues.append(ReplyQueue(name: name, bindingKey: bindingKey))
    }

    /// A copy with one more queue, for building a topology in one expression.
    public func declaringQueue(_ name: String, bindingKeys: [String] = []) -> Topology {
        var copy = self
        copy.declareQueue(name, bindingKeys: bindingKeys)
        return copy
    }
}

extension Topology {
    /// Arguments of every work queue.
    var workQueueArguments: [(String, FieldValue)] {
        arguments(deadLetterExchange: Self.deadLetterExchange)
    }

    /// The arguments releases before the dedicated dead-letter exchange declared work queues
    /// with (dead-lettering through the default exchange). A queue keeps the arguments it was
    /// made with, and declaring it with others is refused, so such a queue is declared with these.
    var legacyWorkQueueArguments: [(String, FieldValue)] {
        arguments(deadLetterExchange: "")
    }

    private func arguments(deadLetterExchange: String) -> [(String, FieldValue)] {
        var arguments: [(String, FieldValue)] = [
            ("x-queue-type", .string("quorum")),
            ("x-dead-letter-exchange", .string(deadLetterExchange)),
            ("x-dead-letter-routing-key", .string(Self.deadLetterQueue)),
        ]
        if let deliveryLimit { arguments.append(("x-delivery-limit", .int(Int64(deliveryLimit)))) }
        return arguments
    }

    /// Arguments of the dead-letter queue: replicated like the rest, and a dead end.
    var deadLetterQueueArguments: [(String, FieldValue)] {
        [("x-queue-type", .string("quorum"))]
    }
}
