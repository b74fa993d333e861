import Synchronization

/// The callers waiting in `Publisher.publish`, by request id.
///
/// Whoever takes a caller out first resumes it: the worker thread on a confirm, or the caller's
/// own side on cancellation or timeout. That way a timeout or a cancellation takes effect at
/// once, even while the worker thread is blocked (opening a connection, or writing to a broker
/// that has blocked publishers) or not running at all.
final class PendingPublishes: Sendable {
    private let waiting = Mutex<[UInt64: CheckedContinuation<Void, any Error>]>([:])

    func insert(_ id: UInt64, _ continuation: CheckedContinuation<Void, any Error>) {
        waiting.withLock { $0[id] = continuation }
    }

    /// Resumes the caller of `id`, if it still waits.
    func complete(_ id: UInt64, with result: Result<Void, any Error>) {
        waiting.withLock { $0.removeValue(forKey: id) }?.resume(with: result)
    }

    /// Whether the caller of `id` still waits (a message nobody waits for is not sent).
    func contains(_ id: UInt64) -> Bool {
        waiting.withLock { $0[id] != nil }
    }
}
