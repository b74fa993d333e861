import Store
import Synchronization

/// The agents' registry rows as this scheduler last read them, kept between specs and batches
/// for at most ``maxAge`` instead of read again for every spec (300 rows at 100 hosts).
///
/// Only the choice of candidates uses it; nothing is decided on it alone:
/// - claim totals are always read in the spec's transaction (they change with every spec);
/// - the agents a plan claims on are locked and read again before anything is written
///   (``SpecScheduler``'s `verify`): an agent that died or whose host began draining since
///   makes the snapshot stale, and the spec is placed again on a fresh read;
/// - a spec that does not fit, or waits for an agent, on the kept rows is placed again on a
///   fresh read before it waits or fails, so an agent that came back is never missed.
/// A heartbeat changes a row every agent interval (10 s); a kept row is at most ``maxAge`` old.
final class RegistryCache: Sendable {
    let maxAge: Duration
    private let clock = ContinuousClock()
    private let entries = Mutex<[String: (rows: [AgentRegistration], readAt: ContinuousClock.Instant)]>([:])

    /// `maxAge` zero keeps nothing: every spec reads the registry.
    init(maxAge: Duration) {
        self.maxAge = maxAge
    }

    /// The rows `query` selects, and whether they are kept ones (read for an earlier spec).
    /// Those of `query.including` (the agents the spec's objects are on) are read in the
    /// transaction unless kept rows hold them.
    func registrations(
        _ query: StoreTransaction.AgentQuery, in tx: StoreTransaction
    ) async throws -> (rows: [AgentRegistration], kept: Bool) {
        guard maxAge > .zero else { return (try await tx.agents(query), false) }
        var base = query
        base.including = []
        let key = Self.key(base)
        let now = clock.now
        var rows: [AgentRegistration]
        var kept = false
        if let entry = entries.withLock({ $0[key] }), now - entry.readAt < maxAge {
            rows = entry.rows
            kept = true
        } else {
            rows = try await tx.agents(base)
            entries.withLock { $0[key] = (rows, now) }
        }
        let held = Set(rows.map(\.node.id))
        let missing = query.including.filter { !held.contains($0) }
        if !missing.isEmpty {
            rows += try await tx.agents(StoreTransaction.AgentQuery(
                types: [], including: missing, aliveWithinSeconds: query.aliveWithinSeconds))
            rows.sort { $0.node.id.uuidString < $1.node.id.uuidString }
        }
        return (rows, kept)
    }

    /// Drops every kept row: the next spec reads the registry again.
    func forget() {
        entries.withLock { $0.removeAll() }
    }

    static func key(_ query: StoreTransaction.AgentQuery) -> String {
        [
            query.types.sorted().joined(separator: ","), query.hostID ?? "-",
            query.only.map { $0.map(\.uuidString).sorted().joined(separator: ",") } ?? "-",
            "\(query.aliveWithinSeconds)", "\(query.includeDead)", "\(query.includeDraining)",
        ].joined(separator: "|")
    }
}

extension Result where Success == PlacementPlan, Failure == PlacementFailure {
    /// Whether a decision made on kept registry rows is made again on fresh ones: the spec would
    /// wait or fail on them, and an agent may have come back or registered since.
    func needsAFreshLook(among agents: [RegisteredAgent]) -> Bool {
        switch self {
        case .failure: true
        case .success(let plan): plan.absentAgents(among: agents) != nil
        }
    }
}
