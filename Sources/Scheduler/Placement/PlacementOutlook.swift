/// Whether a spec that cannot be placed now can be placed later.
///
/// A declarative system holds what it cannot place yet (as Kubernetes holds a Pending pod):
/// when agents are dead for a while or full, the spec waits, and is placed once they are back or
/// capacity frees. Only a spec that would not fit even on an empty cloud of every agent ever
/// registered (bigger than any host, pinned to a host with no such agent, tied to objects on
/// different hosts, avoiding every agent there is) fails at once.
public enum PlacementOutlook: Sendable, Equatable {
    /// It fits once the registered agents are alive and free: wait, with the current reason.
    case waitForRoom(PlacementFailure)
    /// It cannot fit whatever frees: fail now.
    case impossible(PlacementFailure)

    /// - Parameters:
    ///   - failure: why placing failed on the real snapshot.
    ///   - everyAgent: every registered agent the request could use, alive or not.
    public static func judge(_ request: PlacementRequest, failure: PlacementFailure, everyAgent: [RegisteredAgent]) -> PlacementOutlook {
        let empty = PlacementSnapshot(agents: everyAgent.map { agent in
            var agent = agent
            agent.alive = true
            agent.claimed = .zero
            return agent
        })
        var unclaimed = request
        unclaimed.claims = [:]
        switch Placement.place(unclaimed, in: empty) {
        case .success: return .waitForRoom(failure)
        case .failure: return .impossible(failure)
        }
    }
}
