import Foundation
import Synchronization

/// Tasks waiting for a condition, woken together when it may have changed. A waiting task that
/// is cancelled stops waiting.
///
/// Whoever makes the condition true must do so before calling ``wakeAll()``: a task checks the
/// condition and registers under the same lock `wakeAll` takes, so no wake-up falls between.
final class Waiters: Sendable {
    private let waiting = Mutex<[UUID: CheckedContinuation<Void, Never>]>([:])

    /// Returns at once when `satisfied()` holds, else once woken or cancelled.
    func wait(unless satisfied: () -> Bool) async {
        let id = UUID()
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = waiting.withLock { waiting -> Bool in
                    if satisfied() || Task.isCancelled { return true }
                    waiting[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            waiting.withLock { $0.removeValue(forKey: id) }?.resume()
        }
    }

    func wakeAll() {
        let woken = waiting.withLock { waiting in
            defer { waiting.removeAll() }
            return Array(waiting.values)
        }
        for continuation in woken { continuation.resume() }
    }
}
