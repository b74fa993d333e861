import Metrics

/// The conductor's gauge of the agents in the registry (docs/metrics.md), by type and state
/// (`alived`, `dead`), set from the database at every sweep: so every replica shows the same
/// figures, whichever of them heard the heartbeats.
struct AgentMetrics: Sendable {
    func record(_ census: AgentCensus) {
        for (states, state) in [(census.alive, AgentRecord.alived), (census.dead, AgentRecord.dead)] {
            for (type, count) in states {
                Gauge(label: "n0core_agents", dimensions: [("type", type.rawValue), ("state", state)]).record(count)
            }
        }
    }
}
