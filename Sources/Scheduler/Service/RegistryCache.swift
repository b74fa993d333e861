import Messages
import Store
import Synchronization

/// The candidate agents as this scheduler last built them into a ``PlacementSnapshot``, kept
/// between specs and batches for at most ``maxAge`` from the registry read they came from,
/// instead of reading and indexing every agent again for every spec (300 agents at 100 hosts,
/// 30,000 at 10,000).
///
/// Only the choice of candidates uses it; nothing is decided on it alone:
/// - claim totals are read in every spec's transaction and set on the kept snapshot, which
///   moves only the agents whose claims changed within its index;
/// - the agents a plan claims on are locked and read again before anything is written
///   (``SpecScheduler``'s `verify`): an agent that died or whose host began draining since
///   makes the snapshot stale, and the spec is placed again on a fresh read;
/// - a spec that does not fit, or waits for an agent, on a kept snapshot is placed again on a
///   fresh read before it waits or fails, so an agent that came back is never missed.
/// A heartbeat changes a registry row every agent interval (10 s); a kept one is at most
/// ``maxAge`` old.
final class RegistryCache: Sendable {
    let maxAge: Duration
    private let clock = ContinuousClock()
    private let entries = Mutex<[String: (snapshot: PlacementSnapshot, readAt: ContinuousClock.Instant)]>([:])

    /// `maxAge` zero keeps nothing: every spec reads the registry.
    init(maxAge: Duration) {
        self.maxAge = maxAge
    }

    /// The kept snapshot of the agents `query` selects (its `including` aside), taken out while
    /// a spec updates it so the update does not copy it; nil when none is younger than
    /// ``maxAge``. Give it back with ``keep(_:for:readAt:)``.
    func take(_ query: StoreTransaction.AgentQuery) -> (snapshot: PlacementSnapshot, readAt: ContinuousClock.Instant)? {
        guard maxAge > .zero else { return nil }
        let key = Self.key(query), now = clock.now
        return entries.withLock { entries in
            guard let entry = entries.removeValue(forKey: key), now - entry.readAt < maxAge else { return nil }
            return entry
        }
    }

    /// Keeps `snapshot` of the agents `query` selects, read from the registry at `readAt`
    /// (now, when it was just read).
    func keep(_ snapshot: PlacementSnapshot, for query: StoreTransaction.AgentQuery, readAt: ContinuousClock.Instant? = nil) {
        guard maxAge > .zero else { return }
        let key = Self.key(query), read = readAt ?? clock.now
        entries.withLock { $0[key] = (snapshot, read) }
    }

    /// Drops everything kept: the next spec reads the registry again.
    func forget() {
        entries.withLock { $0.removeAll() }
    }

    /// What selects the same agents, `including` aside.
    static func key(_ query: StoreTransaction.AgentQuery) -> String {
        [
            query.types.sorted().joined(separator: ","), query.hostID ?? "-",
            query.only.map { $0.map(\.uuidString).sorted().joined(separator: ",") } ?? "-",
            "\(query.aliveWithinSeconds)", "\(query.includeDead)", "\(query.includeDraining)",
        ].joined(separator: "|")
    }
}

extension Result where Success == PlacementPlan, Failure == PlacementFailure {
    /// Whether a decision made on a kept snapshot is made again on a fresh one: the spec would
    /// wait or fail on it, and an agent may have come back or registered since.
    func needsAFreshLook(among agents: [ObjectID: RegisteredAgent]) -> Bool {
        switch self {
        case .failure: true
        case .success(let plan): plan.absentAgents(among: agents) != nil
        }
    }
}
