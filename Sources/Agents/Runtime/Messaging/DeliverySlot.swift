import Broker
import Synchronization

/// The delivery a request in progress will settle. When the broker redelivers a message whose
/// handling is still under way here (the consumer's connection was lost and reopened, so the old
/// delivery can no longer be acknowledged), the new delivery takes its place instead of
/// starting the same work twice.
final class DeliverySlot: Sendable {
    private let delivery: Mutex<Delivery>

    init(_ delivery: Delivery) {
        self.delivery = Mutex(delivery)
    }

    var current: Delivery { delivery.withLock { $0 } }

    func replace(with newer: Delivery) {
        delivery.withLock { $0 = newer }
    }
}

/// The requests in progress, by `message_id`.
final class InFlightRequests: Sendable {
    private let slots = Mutex<[String: DeliverySlot]>([:])

    /// A new slot for `delivery`, or nil when its message is already being handled (the slot
    /// then settles this newer delivery).
    func begin(_ delivery: Delivery) -> DeliverySlot? {
        guard let messageID = delivery.properties.messageID else { return DeliverySlot(delivery) }
        return slots.withLock { slots in
            if let existing = slots[messageID] {
                existing.replace(with: delivery)
                return nil
            }
            let slot = DeliverySlot(delivery)
            slots[messageID] = slot
            return slot
        }
    }

    func end(_ delivery: Delivery) {
        guard let messageID = delivery.properties.messageID else { return }
        _ = slots.withLock { $0.removeValue(forKey: messageID) }
    }
}
