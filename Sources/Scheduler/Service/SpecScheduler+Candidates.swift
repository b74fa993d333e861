import Messages
import Store

extension SpecScheduler {
    /// The agents `query` selects as a placement snapshot, with their claim totals as `tx`
    /// sees them, and whether it was kept from an earlier spec (``RegistryCache``).
    ///
    /// Locked or not `cached`, the rows are read (and locked) in `tx`. Otherwise a kept snapshot
    /// only gets the claim totals read now, which moves just the agents whose totals changed
    /// within its index; the agents a spec's objects are on (`query.including`) are read in
    /// `tx` when the snapshot does not hold them.
    func candidates(
        _ tx: StoreTransaction, _ query: StoreTransaction.AgentQuery, lock: Bool, cached: Bool
    ) async throws -> (snapshot: PlacementSnapshot, kept: Bool) {
        guard cached, !lock, registry.maxAge > .zero else {
            return (PlacementSnapshot(agents: try await registeredAgents(tx, try await tx.agents(query, lock: lock))), false)
        }
        var base = query
        base.including = []
        var snapshot: PlacementSnapshot
        let kept: Bool
        if let held = registry.take(base) {
            snapshot = held.snapshot
            let totals = try await tx.claimTotals(agentIDs: snapshot.agents.keys.map(\.uuid))
            snapshot.refreshClaims { Resources(totals[$0.uuid]) }
            registry.keep(snapshot, for: base, readAt: held.readAt)
            kept = true
        } else {
            snapshot = PlacementSnapshot(agents: try await registeredAgents(tx, try await tx.agents(base)))
            registry.keep(snapshot, for: base)
            kept = false
        }
        let missing = query.including.filter { snapshot.agents[ObjectID($0)] == nil }
        if !missing.isEmpty {
            let others = try await registeredAgents(tx, try await tx.agents(StoreTransaction.AgentQuery(
                types: [], including: missing, aliveWithinSeconds: query.aliveWithinSeconds)))
            snapshot.agents.merge(others.map { ($0.id, $0) }, uniquingKeysWith: { kept, _ in kept })
        }
        return (snapshot, kept)
    }
}
