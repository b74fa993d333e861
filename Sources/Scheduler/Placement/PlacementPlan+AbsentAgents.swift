import Messages

extension PlacementPlan {
    /// The plan's Requests that would go to a known agent that is not alive, as the reasons its
    /// objects wait: an object that stays where it is (or is removed from there) can only be
    /// handled by that agent, so the spec waits for it rather than failing on it. Agents the
    /// snapshot does not know (their registration is gone) are not waited for. Nil when every
    /// target is alive.
    public func absentAgents(among byID: [ObjectID: RegisteredAgent]) -> PlacementFailure? {
        var reasons: [ObjectID: String] = [:]
        var distinct: [String] = []
        for assignment in assignments {
            guard let agent = byID[assignment.agentID], !agent.alive, reasons[assignment.objectID] == nil else { continue }
            let reason = "\(agent.type.rawValue) \(agent.id) on host \(agent.hostID) sends no heartbeats; "
                + "what it holds waits for it to come back"
            reasons[assignment.objectID] = reason
            if !distinct.contains(reason) { distinct.append(reason) }
        }
        guard !distinct.isEmpty else { return nil }
        return PlacementFailure(reasons: reasons, summary: distinct.joined(separator: "; "))
    }
}
