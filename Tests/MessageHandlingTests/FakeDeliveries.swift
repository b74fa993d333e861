import Broker
import Foundation
import MessageHandling
import Synchronization

/// A delivery that records how it was settled, in place of the broker's.
final class FakeDelivery: ReceivedDelivery, @unchecked Sendable {
    enum Settlement: Equatable, Sendable {
        case ack
        case reject(requeue: Bool)
        case deadLetter(String)
    }

    let body: [UInt8]
    let properties: MessageProperties
    let redelivered: Bool
    private let state = Mutex<(settlements: [Settlement], settleable: Bool, failAck: Bool)>(([], true, false))

    init(_ text: String, messageID: String = UUID().uuidString, type: String = "Test", redelivered: Bool = false) {
        body = Array(text.utf8)
        properties = MessageProperties(type: type, messageID: messageID)
        self.redelivered = redelivered
    }

    var settlements: [Settlement] { state.withLock { $0.settlements } }
    var text: String { String(decoding: body, as: UTF8.self) }

    var isSettleable: Bool { state.withLock { $0.settleable } }
    /// The connection it came on is gone.
    func loseConnection() { state.withLock { $0.settleable = false } }
    /// Its ack fails, as with a channel closed under it.
    func failAcks() { state.withLock { $0.failAck = true } }

    struct AckFailed: Error {}

    func ack() async throws {
        if state.withLock({ $0.failAck }) { throw AckFailed() }
        state.withLock { $0.settlements.append(.ack) }
    }

    func reject(requeue: Bool) async throws {
        state.withLock { $0.settlements.append(.reject(requeue: requeue)) }
    }

    func deadLetter(reason: String) async throws {
        state.withLock { $0.settlements.append(.deadLetter(reason)) }
    }
}

/// Deliveries a test hands the dispatcher one by one.
final class FakeSource: DeliverySource, Sendable {
    let queue = "test"
    private let stream: AsyncStream<FakeDelivery>
    private let continuation: AsyncStream<FakeDelivery>.Continuation

    init() {
        (stream, continuation) = AsyncStream.makeStream(of: FakeDelivery.self)
    }

    func deliver(_ delivery: FakeDelivery) {
        continuation.yield(delivery)
    }

    func end() {
        continuation.finish()
    }

    func deliveries() -> AsyncStream<FakeDelivery> { stream }
}
