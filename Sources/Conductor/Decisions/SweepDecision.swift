import Foundation
import Messages
import Store

/// An object the sweeper treats as failed on its agent.
struct SweepFailure: Sendable, Equatable {
    var objectID: UUID
    var version: Int
    /// The agent it failed on; nil when it was waiting for the scheduler, not for an agent.
    var agentID: ObjectID?
    /// Why, without naming the agent (the failure record adds it).
    var reason: String
}

/// Which objects the periodic sweep fails, so nothing waits without a deadline (design §4):
/// - an object scheduled on an agent that is now `dead` (the agent will never answer);
/// - an object scheduled but not applied within the apply deadline;
/// - an object sent back for rescheduling that no scheduler placed again within the deadline.
///
/// Only objects of versions still pending are looked at: a settled version is history.
enum SweepDecision {
    static func failures(
        statuses: some Collection<ObjectStatus>, pendingVersions: Set<Int>, placements: [UUID: ScheduledPlacement],
        now: Date, applyDeadlineSeconds: Double
    ) -> [SweepFailure] {
        let deadline = formatSeconds(applyDeadlineSeconds)
        var result: [SweepFailure] = []
        for status in statuses.sorted(by: { $0.objectID.uuidString < $1.objectID.uuidString })
        where pendingVersions.contains(status.version) {
            let overdue = now.timeIntervalSince(status.since) > applyDeadlineSeconds
            switch status.state {
            case .scheduled:
                let placement = placements[status.objectID]
                let agent = placement.map { ObjectID($0.agentID) }
                if placement?.agentState == AgentRecord.dead {
                    result.append(SweepFailure(
                        objectID: status.objectID, version: status.version, agentID: agent,
                        reason: "the agent stopped sending heartbeats and is dead; it never reported a result"))
                } else if overdue {
                    result.append(SweepFailure(
                        objectID: status.objectID, version: status.version, agentID: agent,
                        reason: "not applied within \(deadline) of being scheduled"))
                }
            case .rescheduling where overdue:
                result.append(SweepFailure(
                    objectID: status.objectID, version: status.version, agentID: nil,
                    reason: "not placed again within \(deadline) of being sent back to the scheduler"))
            case .rescheduling, .applied, .failed:
                break
            }
        }
        return result
    }

    /// `300 s`, `1.5 s`.
    static func formatSeconds(_ seconds: Double) -> String {
        seconds.rounded() == seconds ? "\(Int(seconds)) s" : "\(seconds) s"
    }
}
