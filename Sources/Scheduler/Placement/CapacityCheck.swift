import Messages

/// The second look a plan gets once its agents are locked: placement ran on a snapshot read
/// without locks, so another scheduler replica may have claimed the same capacity since. With
/// the agents' rows locked and their claims read again, this says whether the plan still
/// holds; if not, the transaction is retried on a fresh snapshot. Pure, like placement.
public enum CapacityCheck {
    /// The problems with `plan` on the agents as they are now (`agents`, with their current
    /// claim totals as `claimed`), given the claims the plan's objects hold now
    /// (`currentClaims`). Empty when the plan holds.
    ///
    /// An agent may end up over its capacity only if the plan does not add to it (a removal, or
    /// an agent that reported a smaller capacity since): the check refuses new load, not old.
    public static func problems(
        _ plan: PlacementPlan, agents: [ObjectID: RegisteredAgent], currentClaims: [ObjectID: ObjectClaim]
    ) -> [String] {
        var before: [ObjectID: Resources] = [:]
        var after: [ObjectID: Resources] = [:]
        for agent in agents.values {
            before[agent.id] = agent.claimed
            after[agent.id] = agent.claimed
        }
        for id in Set(plan.claims.keys).union(plan.released) {
            if let claim = currentClaims[id] { after[claim.agentID]? -= claim.resources }
        }
        var problems: [String] = []
        for (id, claim) in plan.claims.sorted(by: { $0.key < $1.key }) {
            guard let agent = agents[claim.agentID] else {
                problems.append("agent \(claim.agentID) for \(id) is no longer registered")
                continue
            }
            after[agent.id, default: .zero] += claim.resources
            if currentClaims[id]?.agentID != agent.id && !agent.alive {
                problems.append("agent \(agent.id) for \(id) is no longer alive")
            }
        }
        for agentID in Set(plan.claims.values.map(\.agentID)).sorted() {
            guard let agent = agents[agentID], let load = after[agentID] else { continue }
            let grew = !load.fits(in: before[agentID] ?? .zero)
            if grew && !load.fits(in: agent.capacity) {
                problems.append("agent \(agentID) would hold \(load.description) of \(agent.capacity.description)")
            }
        }
        return problems
    }
}
