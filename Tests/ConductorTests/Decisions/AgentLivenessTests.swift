import Foundation
import Testing

@testable import Conductor

@Suite("Agent liveness")
struct AgentLivenessTests {
    let seen = Date(timeIntervalSince1970: 10_000)

    @Test func deadOnlyAfterThreeSilentIntervals() {
        #expect(!AgentLiveness.isDead(lastSeen: seen, intervalSeconds: 10, now: seen.addingTimeInterval(29)))
        #expect(!AgentLiveness.isDead(lastSeen: seen, intervalSeconds: 10, now: seen.addingTimeInterval(30)))
        #expect(AgentLiveness.isDead(lastSeen: seen, intervalSeconds: 10, now: seen.addingTimeInterval(30.5)))
        #expect(AgentLiveness.isDead(lastSeen: seen, intervalSeconds: 1, now: seen.addingTimeInterval(3.1)))
    }

    @Test func aClockBehindTheHeartbeatIsNotDeath() {
        #expect(!AgentLiveness.isDead(lastSeen: seen, intervalSeconds: 10, now: seen.addingTimeInterval(-5)))
    }
}
