import Metrics
import Synchronization

/// Handles items that concurrent callers submit in batches: while ``maximumConcurrentBatches``
/// batches are being handled, the items that arrive wait and form the next (group commit). A
/// handler running under the ``MessageDispatcher``'s concurrency thus records many messages in
/// one database transaction when many are in hand, and each alone when the queue is quiet, with
/// no lingering.
///
/// Each caller gets its own item's outcome: `body` returns one result per item, so a failure
/// of one item fails that caller only (the dispatcher then retries its message, alone); a
/// thrown error fails every item of the batch. The caller whose item starts a batch handles it
/// in its own task and then hands the next batch to the first caller still waiting.
public final class GroupCommit<Item: Sendable, Output: Sendable>: Sendable {
    public typealias Body = @Sendable ([Item]) async throws -> [Result<Output, any Error>]

    private enum Turn: Sendable {
        case done(Result<Output, any Error>)
        case lead
    }

    private struct Waiter: Sendable {
        let item: Item
        let continuation: CheckedContinuation<Turn, Never>
    }

    private struct State: Sendable {
        var waiting: [Waiter] = []
        var running = 0
    }

    /// Items handled together, at most.
    public let maximumBatch: Int
    /// Batches handled at once, at most: more than one keeps a database with several cores
    /// busy while one batch's statements wait on their round trips. Only for batches that
    /// cannot deadlock with each other (their locks taken in one order).
    public let maximumConcurrentBatches: Int
    private let body: Body
    private let state = Mutex(State())
    /// Each batch's size (docs/metrics.md).
    private let sizes: Recorder

    /// - Parameter queue: the queue whose messages are the items, for the metrics.
    public init(queue: String, maximumBatch: Int, maximumConcurrentBatches: Int = 1, body: @escaping Body) {
        self.maximumBatch = max(1, maximumBatch)
        self.maximumConcurrentBatches = max(1, maximumConcurrentBatches)
        self.body = body
        sizes = Recorder(label: "n0core_message_batch_size", dimensions: [("queue", queue)], aggregate: true)
    }

    /// Items waiting for the next batch.
    public var waitingCount: Int { state.withLock { $0.waiting.count } }

    /// Handles `item` in the next batch and returns its outcome.
    public func submit(_ item: Item) async throws -> Output {
        let turn = await withCheckedContinuation { (continuation: CheckedContinuation<Turn, Never>) in
            let leads = state.withLock { state -> Bool in
                if state.running >= maximumConcurrentBatches {
                    state.waiting.append(Waiter(item: item, continuation: continuation))
                    return false
                }
                state.running += 1
                return true
            }
            if leads { continuation.resume(returning: .lead) }
        }
        switch turn {
        case .done(let result):
            return try result.get()
        case .lead:
            return try await lead(item).get()
        }
    }

    /// Handles `item` with up to ``maximumBatch`` − 1 waiting items, tells their callers, and
    /// passes the lead to the next waiting caller (or ends the run).
    private func lead(_ item: Item) async -> Result<Output, any Error> {
        let others = state.withLock { state -> [Waiter] in
            let count = min(maximumBatch - 1, state.waiting.count)
            defer { state.waiting.removeFirst(count) }
            return Array(state.waiting.prefix(count))
        }
        let items = [item] + others.map(\.item)
        sizes.record(items.count)
        var results: [Result<Output, any Error>]
        do {
            results = try await body(items)
            if results.count != items.count {
                results = Array(repeating: .failure(GroupCommitError.resultCountMismatch(expected: items.count, got: results.count)),
                                count: items.count)
            }
        } catch {
            results = Array(repeating: .failure(error), count: items.count)
        }
        for (waiter, result) in zip(others, results.dropFirst()) {
            waiter.continuation.resume(returning: .done(result))
        }
        let next = state.withLock { state -> Waiter? in
            guard !state.waiting.isEmpty else {
                state.running -= 1
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?.continuation.resume(returning: .lead)
        return results[0]
    }
}

public enum GroupCommitError: Error, Equatable {
    /// The batch's body broke its contract (one result per item).
    case resultCountMismatch(expected: Int, got: Int)
}
