import Foundation
import Logging
import PostgresNIO

/// How a spec version ended, as the conductor recorded it in the event log.
struct Settlement: Sendable {
    var applied: Bool
    /// The event's time: the start of the conductor's transaction that recorded it.
    var at: Date
    var message: String
}

/// Tells waiting clients when their specs settle, by polling the event log for the version-level
/// `APPLIED` or `FAILED` event (the one without an object) of every spec someone waits for.
///
/// One query per round for all waiting specs, so watching costs the database the same at any
/// concurrency, and the latency measured is the event's own time, not when a poll noticed it.
actor CompletionTracker {
    private let client: PostgresClient
    private let logger: Logger
    private var waiters: [Int64: (deadline: ContinuousClock.Instant, continuation: CheckedContinuation<Settlement?, Never>)] = [:]
    private var stopped = false
    /// Queries the tracker has sent, so the phase's database figures can leave them out.
    private(set) var queries = 0

    init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Waits until spec `id` settles; nil when it has not within `timeout` (lost).
    func wait(for id: Int64, timeout: Duration) async -> Settlement? {
        guard !stopped else { return nil }
        return await withCheckedContinuation { continuation in
            waiters[id] = (ContinuousClock.now + timeout, continuation)
        }
    }

    /// Polls every `interval` until cancelled; then every waiter gets nil.
    nonisolated func run(interval: Duration = .milliseconds(5)) async {
        while !Task.isCancelled {
            let ids = await waitingIDs()
            if !ids.isEmpty {
                await countQuery()
                do {
                    let rows = try await client.query("""
                        SELECT spec_id, kind, created_at, message FROM events
                        WHERE spec_id = ANY(\(ids)) AND object_id IS NULL AND kind IN ('APPLIED', 'FAILED')
                        """, logger: logger)
                    var found: [Int64: Settlement] = [:]
                    for try await (id, kind, at, message) in rows.decode((Int64, String, Date, String).self) {
                        found[id] = Settlement(applied: kind == "APPLIED", at: at, message: message)
                    }
                    await settle(found)
                } catch {
                    if Task.isCancelled { break }
                    logger.warning("reading the event log failed; retrying", metadata: ["error": "\(String(reflecting: error))"])
                }
            }
            await expire(now: .now)
            try? await Task.sleep(for: interval)
        }
        await stop()
    }

    private func countQuery() {
        queries += 1
    }

    private func waitingIDs() -> [Int64] {
        Array(waiters.keys)
    }

    private func settle(_ found: [Int64: Settlement]) {
        for (id, settlement) in found {
            waiters.removeValue(forKey: id)?.continuation.resume(returning: settlement)
        }
    }

    private func expire(now: ContinuousClock.Instant) {
        for (id, waiter) in waiters where waiter.deadline <= now {
            waiters.removeValue(forKey: id)
            waiter.continuation.resume(returning: nil)
        }
    }

    private func stop() {
        stopped = true
        for waiter in waiters.values { waiter.continuation.resume(returning: nil) }
        waiters.removeAll()
    }
}
