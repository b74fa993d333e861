import Logging
import Synchronization

/// Whether something every message needs (the database) is there. A handler's
/// ``Disposition/pause(reason:)`` closes the gate: the dispatcher stops taking deliveries, and
/// the paused ones wait here instead of being retried into the outage or given back to the
/// queue (which would spend their delivery limit). The gate probes until the dependency answers,
/// then opens and everything resumes by itself.
///
/// ``openSince`` tells how long the dependency has been there without a break: what a
/// conductor needs before it may judge anyone else by its own silence.
public final class OutageGate: Sendable {
    public typealias Probe = @Sendable () async -> Bool

    /// What the gate waits on, in logs (`database`).
    public let dependency: String
    private let probe: Probe
    private let probeInterval: Duration
    private let logger: Logger

    private struct State {
        var open = true
        var openSince = ContinuousClock.now
        var reason: String?
        var probing = false
        var outages = 0
    }

    private let state = Mutex(State())
    private let waiters = Waiters()
    private let stop = StopSignal()

    /// - Parameters:
    ///   - probe: answers whether the dependency is back (e.g. `store.answers()`); it should
    ///     bound its own wait.
    ///   - probeInterval: the pause between probes while closed.
    public init(dependency: String, probeInterval: Duration = .seconds(1), logger: Logger, probe: @escaping Probe) {
        self.dependency = dependency
        self.probe = probe
        self.probeInterval = probeInterval
        self.logger = logger
    }

    public var isOpen: Bool { state.withLock { $0.open } }

    /// Since when the dependency has answered without a break; nil while it does not.
    public var openSince: ContinuousClock.Instant? {
        state.withLock { $0.open ? $0.openSince : nil }
    }

    /// How many outages the gate has seen (for tests and metrics).
    public var outageCount: Int { state.withLock { $0.outages } }

    /// Closes the gate (if open) and probes until the dependency answers.
    public func close(reason: String) {
        let startProbing = state.withLock { state -> Bool in
            if state.open {
                state.open = false
                state.reason = reason
                state.outages += 1
            }
            guard !state.probing else { return false }
            state.probing = true
            return true
        }
        guard startProbing else { return }
        logger.warning("\(dependency) unavailable; pausing until it answers", metadata: ["reason": "\(reason)"])
        Task { await probeUntilBack() }
    }

    /// Reports that the dependency just answered (a transaction committed): opens a closed gate
    /// without waiting for the next probe.
    public func reportHealthy() {
        guard !isOpen else { return }
        open()
    }

    /// Waits until the gate is open; false when the gate was shut down or the task cancelled
    /// first.
    public func waitUntilOpen() async -> Bool {
        await waiters.wait(unless: { isOpen || stop.isRaised })
        return isOpen && !Task.isCancelled
    }

    /// Ends probing and releases every waiter (the service is stopping).
    public func shutDown() {
        stop.raise()
        waiters.wakeAll()
    }

    private func probeUntilBack() async {
        while !stop.isRaised {
            if isOpen { break }
            if await probe() {
                open()
                break
            }
            guard await stop.sleep(for: probeInterval) else { break }
        }
        state.withLock { $0.probing = false }
    }

    private func open() {
        let reason = state.withLock { state -> String?? in
            guard !state.open else { return nil }
            state.open = true
            state.openSince = .now
            defer { state.reason = nil }
            return .some(state.reason)
        }
        guard let reason else { return }
        logger.notice("\(dependency) is back; resuming", metadata: ["was": "\(reason ?? "-")"])
        waiters.wakeAll()
    }
}
