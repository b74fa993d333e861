import Broker
import Foundation

/// A delivery as the message-handling layer sees it: what arrived, and how to settle it.
/// ``Broker/Delivery`` in production; tests hand the dispatcher deliveries of their own.
public protocol ReceivedDelivery: Sendable {
    var body: [UInt8] { get }
    var properties: MessageProperties { get }
    /// The broker delivered it before: its effect may already have happened.
    var redelivered: Bool { get }
    /// Whether it can still be settled: the connection it came on is still open.
    var isSettleable: Bool { get }
    func ack() async throws
    func reject(requeue: Bool) async throws
    func deadLetter(reason: String) async throws
}

extension ReceivedDelivery {
    public var data: Data { Data(body) }
}

extension Delivery: ReceivedDelivery {}

/// Where deliveries come from: ``Broker/Consumer`` in production.
public protocol DeliverySource: Sendable {
    associatedtype Deliveries: AsyncSequence where Deliveries.Element: ReceivedDelivery
    /// The queue, for logs and metrics.
    var queue: String { get }
    /// The deliveries, ending at graceful shutdown.
    func deliveries() -> Deliveries
}

extension Consumer: DeliverySource {
    public func deliveries() -> some AsyncSequence<Delivery, any Error> {
        cancelOnGracefulShutdown()
    }
}
