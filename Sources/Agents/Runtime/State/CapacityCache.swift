import Foundation
import Messages

/// The host's capacity for heartbeats, measured off the heartbeat's path: a heartbeat waits at
/// most a short while for a fresh measure and otherwise sends the last one, so a slow or hung
/// driver call (a long libvirt operation, a stuck libvirtd) never silences the agent — its
/// liveness and its capacity are separate questions. At most one measure runs at a time.
actor CapacityCache {
    private let measure: @Sendable () async throws -> Capacity?
    private var last: Capacity??
    private var measuring = false
    private var waiters: [UUID: CheckedContinuation<Result<Capacity?, any Error>?, Never>] = [:]

    init(measure: @escaping @Sendable () async throws -> Capacity?) {
        self.measure = measure
    }

    enum Reading: Sendable {
        /// Measured now.
        case fresh(Capacity?)
        /// The measure is late (the driver is busy); the last good one.
        case stale(Capacity?, because: String)
        /// The measure failed, or was never made.
        case unknown(String)
    }

    /// A fresh measure if one comes within `wait`, else the last good one. Returns within
    /// `wait` whatever the driver does.
    func read(wait: Duration) async -> Reading {
        if !measuring {
            measuring = true
            Task { [measure] in
                let result: Result<Capacity?, any Error>
                do { result = .success(try await measure()) } catch { result = .failure(error) }
                await self.measured(result)
            }
        }
        let id = UUID()
        let outcome = await withCheckedContinuation { continuation in
            waiters[id] = continuation
            Task {
                try? await Task.sleep(for: wait)
                await self.timeOut(id)
            }
        }
        switch outcome {
        case .success(let capacity)?:
            return .fresh(capacity)
        case .failure(let error)?:
            // A driver that answers with an error cannot do work either: say nothing.
            return .unknown("\(error)")
        case nil:
            // Still measuring: a later heartbeat picks the same measure up.
            return last.map { .stale($0, because: "measuring took longer than \(wait)") }
                ?? .unknown("measuring took longer than \(wait)")
        }
    }

    private func measured(_ result: Result<Capacity?, any Error>) {
        measuring = false
        if case .success(let capacity) = result { last = .some(capacity) }
        let waiting = waiters
        waiters.removeAll()
        for waiter in waiting.values { waiter.resume(returning: result) }
    }

    private func timeOut(_ id: UUID) {
        waiters.removeValue(forKey: id)?.resume(returning: nil)
    }
}
