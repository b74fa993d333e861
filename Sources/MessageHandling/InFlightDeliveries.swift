import Synchronization

/// The delivery a message in hand will be settled with, and the copies of the same message that
/// arrived meanwhile.
final class DeliverySlot<Delivery: ReceivedDelivery>: Sendable {
    private struct State {
        var delivery: Delivery
        var followers: [Delivery] = []
    }

    private let state: Mutex<State>

    init(_ delivery: Delivery) {
        state = Mutex(State(delivery: delivery))
    }

    var current: Delivery { state.withLock { $0.delivery } }

    /// A newer delivery of the message in hand: it takes the place of one whose connection is
    /// gone (that one can no longer be settled), or waits its turn behind one that can.
    func receive(_ newer: Delivery) {
        state.withLock { state in
            if state.delivery.isSettleable {
                state.followers.append(newer)
            } else {
                state.delivery = newer
            }
        }
    }

    func takeFollowers() -> [Delivery] {
        state.withLock { state in
            defer { state.followers.removeAll() }
            return state.followers
        }
    }
}

/// The messages in hand, by `message_id`.
///
/// When the broker redelivers a message whose handling is still under way here (the
/// consumer's connection was lost and reopened, so the old delivery can no longer be
/// acknowledged), the new delivery takes the old one's place instead of the same work starting
/// twice. A second copy of a message while the first can still be settled (published twice) is
/// handled after the first, which makes it a recognised duplicate.
final class InFlightDeliveries<Delivery: ReceivedDelivery>: Sendable {
    private let slots = Mutex<[String: DeliverySlot<Delivery>]>([:])

    /// A new slot for `delivery`, or nil when its message is already in hand (that slot then
    /// takes this delivery).
    func begin(_ delivery: Delivery) -> DeliverySlot<Delivery>? {
        guard let messageID = delivery.properties.messageID else { return DeliverySlot(delivery) }
        return slots.withLock { slots in
            if let existing = slots[messageID] {
                existing.receive(delivery)
                return nil
            }
            let slot = DeliverySlot(delivery)
            slots[messageID] = slot
            return slot
        }
    }

    /// Ends a slot; returns the copies that waited behind it, to be handled now.
    func end(_ slot: DeliverySlot<Delivery>) -> [Delivery] {
        guard let messageID = slot.current.properties.messageID else { return [] }
        return slots.withLock { slots in
            let followers = slot.takeFollowers()
            if slots[messageID] === slot { slots.removeValue(forKey: messageID) }
            return followers
        }
    }

    var count: Int { slots.withLock { $0.count } }
}
