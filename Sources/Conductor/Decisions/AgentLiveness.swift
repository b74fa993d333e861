import Foundation

/// When an agent is dead: silent for more than three of the intervals it promised to send
/// heartbeats at (design §4). Judged on the database's clock, which stamped its last heartbeat,
/// so a skewed agent clock cannot make it look alive or dead.
enum AgentLiveness {
    /// Heartbeats an agent may miss before it is dead.
    static let missedHeartbeats = 3

    /// - Parameter heardFor: how long the judging conductor has heard without a break
    ///   (``Hearing``); it must cover the silence too, or the silence may be the conductor's own.
    static func isDead(lastSeen: Date, intervalSeconds: Int, now: Date, heardFor: Duration) -> Bool {
        // In floating point: an interval is bounded when a heartbeat is decoded, but no stored
        // value should be able to trap the sweeper.
        let limit = Double(missedHeartbeats) * Double(max(intervalSeconds, 1))
        return now.timeIntervalSince(lastSeen) > limit && heardFor.seconds > limit
    }
}
