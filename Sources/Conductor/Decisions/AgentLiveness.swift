import Foundation

/// When an agent is dead: silent for more than three of the intervals it promised to send
/// heartbeats at (design §4). Judged on the database's clock, which stamped its last heartbeat,
/// so a skewed agent clock cannot make it look alive or dead.
enum AgentLiveness {
    /// Heartbeats an agent may miss before it is dead.
    static let missedHeartbeats = 3

    static func isDead(lastSeen: Date, intervalSeconds: Int, now: Date) -> Bool {
        now.timeIntervalSince(lastSeen) > Double(missedHeartbeats * max(intervalSeconds, 1))
    }
}
