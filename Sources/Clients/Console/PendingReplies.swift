import Foundation
import Messages
import Synchronization

/// The console requests of one API process still waiting for their reply, by request id.
///
/// A request is opened before it is published, so a reply that arrives before its asker waits
/// is kept for it; a reply for a request nobody waits for any more (timed out, client gone) is
/// dropped.
final class PendingReplies: Sendable {
    private enum Slot {
        case waiting(CheckedContinuation<ConsoleReplyMessage?, Never>?)
        case answered(ConsoleReplyMessage?)
    }

    private let slots = Mutex<[UUID: Slot]>([:])

    var count: Int { slots.withLock { $0.count } }

    func open(_ id: UUID) {
        slots.withLock { $0[id] = .waiting(nil) }
    }

    /// Hands `reply` (nil: give up) to the request's waiter; false when nobody waits for it.
    @discardableResult
    func deliver(_ id: UUID, _ reply: ConsoleReplyMessage?) -> Bool {
        let waiter = slots.withLock { slots -> CheckedContinuation<ConsoleReplyMessage?, Never>?? in
            guard case .waiting(let continuation)? = slots[id] else { return nil }
            if let continuation {
                slots.removeValue(forKey: id)
                return .some(continuation)
            }
            slots[id] = .answered(reply)
            return .some(nil)
        }
        guard let waiter else { return false }
        waiter?.resume(returning: reply)
        return true
    }

    /// The reply, or nil once `timeout` has passed or the task is cancelled. Closes the request.
    func wait(_ id: UUID, timeout: Duration) async -> ConsoleReplyMessage? {
        let timer = Task { [self] in
            try? await Task.sleep(for: timeout)
            deliver(id, nil)
        }
        defer { timer.cancel() }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<ConsoleReplyMessage?, Never>) in
                let now = slots.withLock { slots -> ConsoleReplyMessage?? in
                    switch slots[id] {
                    case .answered(let reply)?:
                        slots.removeValue(forKey: id)
                        return .some(reply)
                    case .waiting?:
                        slots[id] = .waiting(continuation)
                        return nil
                    case nil:
                        return .some(nil)
                    }
                }
                if let now { continuation.resume(returning: now) }
            }
        } onCancel: {
            deliver(id, nil)
        }
    }

    func close(_ id: UUID) {
        _ = slots.withLock { $0.removeValue(forKey: id) }
    }
}
