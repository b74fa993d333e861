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
/// - an object scheduled but not applied within the apply deadline (its agent's progress
///   reports move the deadline on);
/// - an object sent back for rescheduling that no scheduler placed again within the deadline;
/// - an object of a stored version that no scheduler took within the acceptance deadline (its
///   `Spec` never reached one).
///
/// Each is failed like an `ERROR` result: placed again while it has attempts left.
enum SweepDecision {
    static func failures(
        rounds: some Collection<PlacementRecord>, placements: [UUID: ScheduledPlacement], now: Date,
        applyDeadlineSeconds: Double, acceptedDeadlineSeconds: Double
    ) -> [SweepFailure] {
        var result: [SweepFailure] = []
        for round in rounds.sorted(by: { $0.objectID.uuidString < $1.objectID.uuidString }) {
            let age = now.timeIntervalSince(round.phaseSince)
            let failure = { (agent: ObjectID?, reason: String) in
                result.append(SweepFailure(objectID: round.objectID, version: round.version, agentID: agent, reason: reason))
            }
            switch round.phase {
            case .scheduled:
                let placement = placements[round.objectID]
                let agent = placement.map { ObjectID($0.agentID) }
                if placement?.agentState == AgentRecord.dead {
                    failure(agent, "the agent stopped sending heartbeats and is dead; it never reported a result")
                } else if age > applyDeadlineSeconds {
                    failure(agent, "no result within \(formatSeconds(applyDeadlineSeconds)) of being scheduled "
                        + "(or of the agent's last progress report)")
                }
            case .rescheduling where age > applyDeadlineSeconds:
                failure(nil, "not placed again within \(formatSeconds(applyDeadlineSeconds)) of being sent back to the scheduler")
            case .accepted where age > acceptedDeadlineSeconds:
                failure(nil, "no scheduler took it within \(formatSeconds(acceptedDeadlineSeconds)) of being accepted; "
                    + "its Spec is sent again")
            default:
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
