import Foundation
import Messages

/// What to do after an object failed on an agent: send it back to the scheduler, away from
/// every agent it has failed on, or give up once it has had its attempts.
///
/// Attempts are counted per object and spec version from the conductor's `conductor_failures`
/// rows (one per failed attempt, with the agent), rather than from `RESCHEDULED` events: the rows
/// carry the agent as data, so the avoid list is never parsed out of a sentence, and a new
/// version of the spec starts with fresh attempts.
enum RetryDecision: Sendable, Equatable {
    /// Place it again, never on `avoid` (every agent it failed on, in the order it failed).
    /// `attempt` is the number of the attempt about to start.
    case reschedule(avoid: [ObjectID], attempt: Int)
    /// No attempts left: the object and its version fail with `reason`.
    case giveUp(reason: String)

    /// - Parameters:
    ///   - failedAgents: the agent of each failed attempt so far, this one included (nil where no
    ///     agent was involved), oldest first.
    ///   - lastReason: why the latest attempt failed.
    ///   - maxAttempts: how many attempts an object gets in all (the first placement included).
    ///   - versionPending: false when the object's version is settled already (failed because of
    ///     another object, or superseded): nothing is placed again for a settled version.
    static func decide(
        failedAgents: [ObjectID?], lastReason: String, maxAttempts: Int, versionPending: Bool = true
    ) -> RetryDecision {
        let failures = failedAgents.count
        guard versionPending else {
            return .giveUp(reason: "failed (\(lastReason)); its version is settled, so it is not placed again")
        }
        guard failures < maxAttempts else {
            let attempts = failures == 1 ? "1 attempt" : "\(failures) attempts"
            return .giveUp(reason: "failed after \(attempts) (last: \(lastReason))")
        }
        var avoid: [ObjectID] = []
        for case let agent? in failedAgents where !avoid.contains(agent) {
            avoid.append(agent)
        }
        return .reschedule(avoid: avoid, attempt: failures + 1)
    }
}
