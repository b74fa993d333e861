import Messages

/// The host's capacity for heartbeats, measured off the heartbeat's path: a heartbeat waits at
/// most ``wait`` for a fresh measure and otherwise sends the last one, so a slow or hung
/// driver call (a long libvirt operation, a stuck libvirtd) never silences the agent — its
/// liveness and its capacity are separate questions.
actor CapacityCache {
    private let measure: @Sendable () async throws -> Capacity?
    private var last: Capacity??
    private var refreshing: Task<Result<Capacity?, any Error>, Never>?

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

    /// A fresh measure if one comes within `wait`, else the last good one.
    func read(wait: Duration) async -> Reading {
        let task = refreshing ?? Task { [measure] in
            do { return .success(try await measure()) } catch { return .failure(error) }
        }
        refreshing = task
        let outcome = await withTaskGroup(of: Result<Capacity?, any Error>?.self) { group in
            group.addTask { await task.value }
            group.addTask {
                try? await Task.sleep(for: wait)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        switch outcome {
        case .success(let capacity)?:
            refreshing = nil
            last = .some(capacity)
            return .fresh(capacity)
        case .failure(let error)?:
            // A driver that answers with an error cannot do work either: say nothing.
            refreshing = nil
            return .unknown("\(error)")
        case nil:
            // Still measuring: the next heartbeat picks the same measure up.
            return last.map { .stale($0, because: "measuring took longer than \(wait)") }
                ?? .unknown("measuring took longer than \(wait)")
        }
    }
}
