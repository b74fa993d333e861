import Foundation
import Logging
import PostgresNIO

/// Tells waiting clients when a spec version leaves `pending`, by polling `spec_versions` for
/// every version someone waits for (one query per round). During a database outage the polls
/// fail and the clients simply wait longer; a wait ends at its deadline or when the tracker
/// stops, with nil.
actor VersionTracker {
    private struct Key: Hashable {
        var specID: Int64
        var version: Int
    }

    private let database: ChaosDatabase
    private let logger: Logger
    private var waiters: [Key: (deadline: ContinuousClock.Instant, continuation: CheckedContinuation<String?, Never>)] = [:]
    private var stopped = false
    private var lastComplaint: ContinuousClock.Instant?

    init(database: ChaosDatabase, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    /// The version's state once it is no longer `pending`; nil on timeout or stop.
    func wait(specID: Int64, version: Int, timeout: Duration) async -> String? {
        guard !stopped else { return nil }
        return await withCheckedContinuation { continuation in
            waiters[Key(specID: specID, version: version)] = (ContinuousClock.now + timeout, continuation)
        }
    }

    /// Polls until ``stop()``.
    nonisolated func run(interval: Duration = .milliseconds(100)) async {
        while !(await isStopped()) {
            let ids = await waitingSpecs()
            if !ids.isEmpty {
                do {
                    let rows = try await database.rows("""
                        SELECT spec_id, version, state FROM spec_versions WHERE spec_id = ANY(\(ids)) AND state <> 'pending'
                        """)
                    var found: [Key: String] = [:]
                    for row in rows {
                        let (id, version, state) = try row.decode((Int64, Int, String).self)
                        found[Key(specID: id, version: version)] = state
                    }
                    await settle(found)
                } catch {
                    await complain(error)
                }
            }
            await expire(now: .now)
            try? await Task.sleep(for: interval)
        }
    }

    func stop() {
        stopped = true
        for waiter in waiters.values { waiter.continuation.resume(returning: nil) }
        waiters.removeAll()
    }

    private func isStopped() -> Bool { stopped }

    private func waitingSpecs() -> [Int64] {
        Array(Set(waiters.keys.map(\.specID)))
    }

    private func settle(_ found: [Key: String]) {
        for (key, state) in found {
            waiters.removeValue(forKey: key)?.continuation.resume(returning: state)
        }
    }

    private func expire(now: ContinuousClock.Instant) {
        for (key, waiter) in waiters where waiter.deadline <= now {
            waiters.removeValue(forKey: key)
            waiter.continuation.resume(returning: nil)
        }
    }

    private func complain(_ error: any Error) {
        let now = ContinuousClock.now
        if let last = lastComplaint, now - last < .seconds(10) { return }
        lastComplaint = now
        logger.notice("cannot read spec_versions (the clients wait on)", metadata: ["error": "\(String(reflecting: error).prefix(300))"])
    }
}
