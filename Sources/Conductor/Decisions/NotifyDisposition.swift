import Foundation
import Messages

/// What one agent result means for its object.
enum NotifyDisposition: Sendable, Equatable {
    /// Record the object as applied (`alreadyApplied`: a second success for the same round,
    /// whose fields are still recorded but which adds no event).
    case apply(alreadyApplied: Bool)
    /// The attempt failed, with the agent's reason.
    case fail(reason: String)
    /// `INFO` or `WARNING`: progress that decides nothing.
    case progress
    /// A result that no longer concerns the object, with why.
    case ignore(String)

    /// - Parameters:
    ///   - agent: the agent that reported (the notify's `scheduled` dependency, else the
    ///     object's current placement).
    ///   - avoidedAgents: agents this object already failed on in this version; their results
    ///     are late (the object was sent elsewhere) and must not undo that.
    ///   - reportedDesiredState: the desired state the agent worked towards.
    ///   - desiredState: the desired state the graph holds now; a result for another one belongs
    ///     to a request a newer version has overtaken.
    ///   - state: the object's status in its current round (nil when never scheduled).
    /// Desired states that remove an object from its agent.
    static let removals: Set<String> = ["deleted", "destroyed"]

    static func decide(
        level: NotifyLevel, message: String, agent: ObjectID?, avoidedAgents: Set<ObjectID>,
        reportedDesiredState: String?, desiredState: String?, state: ObjectStatus.State?
    ) -> NotifyDisposition {
        switch level {
        case .info, .warning:
            return .progress
        case .success, .error:
            break
        }
        if let reported = reportedDesiredState, Self.removals.contains(reported),
           let desired = desiredState, !Self.removals.contains(desired) {
            return .ignore("agent \(agent?.description ?? "?") removed what an abandoned attempt left there")
        }
        // A removal can only be done where the object is, so it is never avoided there.
        let isRemoval = reportedDesiredState.map(Self.removals.contains) ?? false
        if let agent, avoidedAgents.contains(agent), !isRemoval {
            return .ignore("a late result from agent \(agent), which this object already failed on")
        }
        if let reported = reportedDesiredState, let desired = desiredState, reported != desired {
            return .ignore("a result for desired state '\(reported)', but the object now wants '\(desired)'")
        }
        if state == .failed {
            return .ignore("the object has already failed for this version")
        }
        if level == .success {
            return .apply(alreadyApplied: state == .applied)
        }
        let reason = message.trimmingCharacters(in: .whitespacesAndNewlines)
        return .fail(reason: reason.isEmpty ? "the agent reported an error without a message" : reason)
    }
}
