import Synchronization

/// An attempt that took longer than it may.
public struct DeadlineExceeded: Error, CustomStringConvertible {
    public let limit: Duration
    public var description: String { "gave up after \(limit)" }
}

/// What happens to a body that overruns its deadline.
public enum DeadlineOverrun: Sendable {
    /// Cancel it and wait until it returns: for bodies that honour cancellation and must not
    /// overlap a retry (an agent's apply holds its object's lock until the driver stops).
    case cancelAndWait
    /// Cancel it and return at once, leaving it behind. Not all waits honour cancellation (a
    /// database pool's lease was seen to hang after a PostgreSQL restart), and a deadline that
    /// waits for them is no deadline. A body left behind may still finish later, so its effect
    /// must be idempotent or fenced (transactions deduplicated by message id, outbox rows claimed
    /// `SKIP LOCKED`).
    case abandon
}

/// Runs `body`, and throws ``DeadlineExceeded`` when it takes longer than `limit`: what a service
/// waits on (a scheduling attempt, a relay step, a driver's apply) never waits for ever.
public func withDeadline<Result: Sendable>(
    _ limit: Duration, onOverrun overrun: DeadlineOverrun = .cancelAndWait,
    _ body: @escaping @Sendable () async throws -> Result
) async throws -> Result {
    let race = DeadlineRace<Result>()
    let work = Task { race.finish(with: await Swift.Result(catching: body)) }
    let timer = Task {
        try? await Task.sleep(for: limit)
        race.finish(with: .failure(DeadlineExceeded(limit: limit)))
    }
    return try await withTaskCancellationHandler {
        let outcome = await race.outcome()
        timer.cancel()
        if case .failure = outcome {
            work.cancel()
            if overrun == .cancelAndWait { await work.value }
        }
        return try outcome.get()
    } onCancel: {
        work.cancel()
        if overrun == .abandon { race.finish(with: .failure(CancellationError())) }
    }
}

/// The first of the body's result and the deadline, handed to the one waiter.
private final class DeadlineRace<Value: Sendable>: Sendable {
    private struct State {
        var outcome: Result<Value, any Error>?
        var waiter: CheckedContinuation<Result<Value, any Error>, Never>?
    }

    private let state = Mutex(State())

    func finish(with outcome: Result<Value, any Error>) {
        let waiter = state.withLock { state -> CheckedContinuation<Result<Value, any Error>, Never>? in
            guard state.outcome == nil else { return nil }
            state.outcome = outcome
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: outcome)
    }

    func outcome() async -> Result<Value, any Error> {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Result<Value, any Error>? in
                if let outcome = state.outcome { return outcome }
                state.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
