import ServiceSupport
import Synchronization
import Testing

/// A deadline is a deadline even for a body that ignores cancellation (a database pool's lease
/// that is never resumed held the outbox relays and the outage gate's probe for good), and still
/// waits for a body that must not overlap its retry.
@Suite struct DeadlineTests {
    /// A wait that no cancellation ends: resumed only by `release()`.
    final class Hang: Sendable {
        private let waiter = Mutex<CheckedContinuation<Void, Never>?>(nil)
        private let released = Mutex(false)

        func wait() async {
            await withCheckedContinuation { continuation in
                let now = released.withLock { released in
                    if released { return true }
                    waiter.withLock { $0 = continuation }
                    return false
                }
                if now { continuation.resume() }
            }
        }

        func release() {
            released.withLock { $0 = true }
            waiter.withLock { waiter in
                waiter?.resume()
                waiter = nil
            }
        }
    }

    @Test func anAbandonedBodyThatIgnoresCancellationDoesNotHoldTheCaller() async throws {
        let hang = Hang()
        let finished = Mutex(false)
        let started = ContinuousClock.now
        await #expect(throws: DeadlineExceeded.self) {
            try await withDeadline(.milliseconds(100), onOverrun: .abandon) {
                await hang.wait()
                finished.withLock { $0 = true }
            }
        }
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(!finished.withLock { $0 }, "returned while the body still waits")
        hang.release()
    }

    @Test func cancelAndWaitWaitsForTheBodyToStop() async throws {
        let hang = Hang()
        let finished = Mutex(false)
        let release = Task {
            try await Task.sleep(for: .milliseconds(300))
            hang.release()
        }
        await #expect(throws: DeadlineExceeded.self) {
            try await withDeadline(.milliseconds(50)) {
                await hang.wait()
                finished.withLock { $0 = true }
            }
        }
        #expect(finished.withLock { $0 }, "returned before the body stopped")
        _ = await release.result
    }

    @Test func aBodyInTimeReturnsItsResultOrError() async throws {
        #expect(try await withDeadline(.seconds(5), onOverrun: .abandon) { 42 } == 42)
        struct Failure: Error {}
        await #expect(throws: Failure.self) { try await withDeadline(.seconds(5)) { throw Failure() } }
    }

    @Test func cancellingTheCallerEndsAnAbandoningWaitAtOnce() async throws {
        let hang = Hang()
        let caller = Task {
            try await withDeadline(.seconds(60), onOverrun: .abandon) { await hang.wait() }
        }
        try await Task.sleep(for: .milliseconds(50))
        caller.cancel()
        let result = await caller.result
        #expect(throws: CancellationError.self) { try result.get() }
        hang.release()
    }
}
