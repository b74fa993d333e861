import Synchronization

/// The callers waiting in `Publisher.publish`, by request id.
///
/// Whoever takes a caller out first completes it: the worker thread on a confirm, or the caller's
/// own side on cancellation or timeout. That way a timeout or a cancellation takes effect at
/// once, even while the worker thread is blocked (opening a connection, or writing to a broker
/// that has blocked publishers) or not running at all.
final class PendingPublishes: Sendable {
    typealias Completion = @Sendable (Result<Void, any Error>) -> Void

    private let waiting = Mutex<[UInt64: Completion]>([:])

    func insert(_ id: UInt64, _ completion: @escaping Completion) {
        waiting.withLock { $0[id] = completion }
    }

    /// Completes the caller of `id`, if it still waits.
    func complete(_ id: UInt64, with result: Result<Void, any Error>) {
        waiting.withLock { $0.removeValue(forKey: id) }?(result)
    }

    /// Whether the caller of `id` still waits (a message nobody waits for is not sent).
    func contains(_ id: UInt64) -> Bool {
        waiting.withLock { $0[id] != nil }
    }
}

/// The results of one `Publisher.publishAll`, gathered as the messages' confirms arrive; the
/// caller resumes once every message has one.
final class PublishBatch: Sendable {
    private struct State {
        var results: [Result<Void, any Error>?]
        var remaining: Int
        var continuation: CheckedContinuation<[Result<Void, any Error>], Never>?
    }

    let firstID: UInt64
    let ids: [UInt64]
    private let state: Mutex<State>

    init(firstID: UInt64, count: Int) {
        self.firstID = firstID
        ids = (0..<UInt64(count)).map { firstID + $0 }
        state = Mutex(State(results: Array(repeating: nil, count: count), remaining: count))
    }

    /// Must be set before any message can be completed.
    func wait(with continuation: CheckedContinuation<[Result<Void, any Error>], Never>) {
        state.withLock { $0.continuation = continuation }
    }

    func complete(_ id: UInt64, with result: Result<Void, any Error>) {
        let finished = state.withLock { state -> (CheckedContinuation<[Result<Void, any Error>], Never>, [Result<Void, any Error>])? in
            let index = Int(id - firstID)
            guard state.results[index] == nil else { return nil }
            state.results[index] = result
            state.remaining -= 1
            guard state.remaining == 0, let continuation = state.continuation else { return nil }
            state.continuation = nil
            return (continuation, state.results.map { $0! })
        }
        if let (continuation, results) = finished { continuation.resume(returning: results) }
    }
}
