import Foundation
import Synchronization

/// A message received by a ``Consumer``, to be settled exactly once: ``ack()``,
/// ``reject(requeue:)`` or ``deadLetter(reason:)``.
public final class Delivery: Sendable {
    public let body: [UInt8]
    public let exchange: String
    public let routingKey: String
    /// The queue it was consumed from.
    public let queue: String
    /// The broker delivered it before (to a consumer that did not acknowledge it): its effect
    /// may already have happened.
    public let redelivered: Bool
    /// Numbers the delivery on its connection.
    public let deliveryTag: UInt64
    public let properties: MessageProperties

    let generation: UInt64
    let link: ConsumerLink
    private let settled = Atomic<Bool>(false)

    init(_ incoming: IncomingDelivery, queue: String, generation: UInt64, link: ConsumerLink) {
        body = incoming.body
        exchange = incoming.exchange
        routingKey = incoming.routingKey
        self.queue = queue
        redelivered = incoming.redelivered
        deliveryTag = incoming.deliveryTag
        properties = incoming.properties
        self.generation = generation
        self.link = link
    }

    /// Whether the connection it came on is still open, so it can be settled.
    public var isSettleable: Bool { generation == link.worker.currentGeneration }

    /// The body as `Data`, for decoders.
    public var data: Data { Data(body) }

    /// Tells the broker the message is done with; call after its effect is committed.
    ///
    /// If the connection it came on is gone, this does nothing: the broker redelivers it.
    /// - Throws: ``BrokerError/alreadySettled``.
    public func ack() async throws {
        try claim()
        await link.settle(self, .ack)
    }

    /// Gives the message back (`requeue`), or drops it into the dead-letter queue through the
    /// queue's dead-letter exchange (no reason attached; prefer ``deadLetter(reason:)``).
    /// - Throws: ``BrokerError/alreadySettled``.
    public func reject(requeue: Bool) async throws {
        try claim()
        await link.settle(self, .reject(requeue: requeue))
    }

    /// Settling twice would make the broker close the channel (unknown delivery tag).
    func claim() throws {
        guard !settled.exchange(true, ordering: .acquiringAndReleasing) else {
            throw BrokerError.alreadySettled
        }
    }
}
