import Foundation
import Testing

@testable import Conductor

@Suite("Agent liveness")
struct AgentLivenessTests {
    let seen = Date(timeIntervalSince1970: 10_000)
    let heardLong = Duration.seconds(3600)

    @Test func deadOnlyAfterThreeSilentIntervals() {
        #expect(!AgentLiveness.isDead(lastSeen: seen, intervalSeconds: 10, now: seen.addingTimeInterval(29), heardFor: heardLong))
        #expect(!AgentLiveness.isDead(lastSeen: seen, intervalSeconds: 10, now: seen.addingTimeInterval(30), heardFor: heardLong))
        #expect(AgentLiveness.isDead(lastSeen: seen, intervalSeconds: 10, now: seen.addingTimeInterval(30.5), heardFor: heardLong))
        #expect(AgentLiveness.isDead(lastSeen: seen, intervalSeconds: 1, now: seen.addingTimeInterval(3.1), heardFor: heardLong))
    }

    @Test func aClockBehindTheHeartbeatIsNotDeath() {
        #expect(!AgentLiveness.isDead(lastSeen: seen, intervalSeconds: 10, now: seen.addingTimeInterval(-5), heardFor: heardLong))
    }

    /// The issue's broker outage: every agent silent for 40 s, but the conductor has heard again
    /// for only 20 s of the 30 s three intervals need: nobody is dead; at 31 s the silent one is.
    @Test func silenceCountsOnlyWhileTheConductorCouldHear() {
        let now = seen.addingTimeInterval(40)
        #expect(!AgentLiveness.isDead(lastSeen: seen, intervalSeconds: 10, now: now, heardFor: .seconds(20)))
        #expect(AgentLiveness.isDead(lastSeen: seen, intervalSeconds: 10, now: now, heardFor: .seconds(31)))
    }
}

@Suite("Whether the conductor can hear")
struct HearingTests {
    let start = ContinuousClock.now

    @Test func blindWhileTheConsumerOrDatabaseIsDown() {
        #expect(Hearing(hearingSince: nil, caughtUp: true).verdict(now: start) == .blind("the conductor's consumer or database is down"))
    }

    @Test func blindUntilCaughtUpWithItsQueue() {
        let verdict = Hearing(hearingSince: start, caughtUp: false).verdict(now: start + .seconds(50))
        guard case .blind(let why) = verdict else { Issue.record("expected blind, got \(verdict)"); return }
        #expect(why.contains("no heartbeat sent after hearing resumed"))
        // With no agent alive to send a heartbeat, long enough hearing counts as caught up.
        #expect(Hearing(hearingSince: start, caughtUp: false).verdict(now: start + .seconds(61)) == .hearing(for: .seconds(61)))
    }

    @Test func hearingForAsLongAsSinceItResumed() {
        #expect(Hearing(hearingSince: start, caughtUp: true).verdict(now: start + .seconds(12)) == .hearing(for: .seconds(12)))
    }

    /// The monitor: a reconnection starts the hearing afresh and needs a heartbeat sent after it;
    /// a database outage (its gate closed) makes it blind.
    @Test func theMonitorFollowsTheConnectionAndHeartbeats() async throws {
        let monitor = HearingMonitor(gate: nil)
        #expect(monitor.hearing.hearingSince == nil)
        let beforeConnecting = Date()
        try await Task.sleep(for: .milliseconds(5))
        monitor.connectionChanged(.connected)
        #expect(monitor.hearing.hearingSince != nil)
        #expect(!monitor.hearing.caughtUp)
        monitor.heard(heartbeatSentAt: beforeConnecting)
        #expect(!monitor.hearing.caughtUp, "a heartbeat sent before hearing resumed was queued during the outage")
        try await Task.sleep(for: .milliseconds(5))
        monitor.heard(heartbeatSentAt: Date())
        #expect(monitor.hearing.caughtUp)
        monitor.connectionChanged(.disconnected(reason: "broker stopped"))
        #expect(monitor.hearing.hearingSince == nil)
        try await Task.sleep(for: .milliseconds(5))
        monitor.connectionChanged(.connected)
        #expect(!monitor.hearing.caughtUp, "after a reconnection only a newer heartbeat catches up")
        try await Task.sleep(for: .milliseconds(5))
        monitor.heard(heartbeatSentAt: Date())
        #expect(monitor.hearing.caughtUp)
    }
}
