import Synchronization

/// Raised once when a service begins to stop; pauses that wait on it end early, so a delivery
/// waiting to be retried is left for redelivery instead of holding up the shutdown. Work under
/// way (a transaction, an apply) is not cancelled by it.
public final class StopSignal: Sendable {
    private let raised = Atomic<Bool>(false)
    private let waiters = Waiters()

    public init() {}

    public var isRaised: Bool { raised.load(ordering: .acquiring) }

    public func raise() {
        raised.store(true, ordering: .releasing)
        waiters.wakeAll()
    }

    /// Returns when the signal is raised (at once if it was) or the task is cancelled.
    public func wait() async {
        await waiters.wait(unless: { isRaised })
    }

    /// Sleeps for `duration` unless the signal is raised first; returns whether the whole
    /// pause passed (false: stopping).
    public func sleep(for duration: Duration) async -> Bool {
        if isRaised { return false }
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                do {
                    try await Task.sleep(for: duration)
                    return true
                } catch {
                    return false
                }
            }
            group.addTask {
                await self.wait()
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first && !isRaised
        }
    }
}
