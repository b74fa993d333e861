import Messages
import Testing

@testable import Conductor

@Suite("Reschedule or give up")
struct RetryDecisionTests {
    let a = ObjectID(), b = ObjectID()

    @Test func reschedulesAwayFromEveryAgentItFailedOn() {
        #expect(RetryDecision.decide(failedAgents: [a], lastReason: "x", maxAttempts: 3) == .reschedule(avoid: [a], attempt: 2))
        #expect(RetryDecision.decide(failedAgents: [a, b], lastReason: "x", maxAttempts: 3) == .reschedule(avoid: [a, b], attempt: 3))
    }

    @Test func anAgentIsAvoidedOnceAndAFailureWithoutAgentAddsNone() {
        #expect(RetryDecision.decide(failedAgents: [a, nil, a], lastReason: "x", maxAttempts: 5) == .reschedule(avoid: [a], attempt: 4))
    }

    @Test func givesUpWithTheLastReasonAfterMaxAttempts() {
        #expect(RetryDecision.decide(failedAgents: [a, b, a], lastReason: "on agent \(a): disk full", maxAttempts: 3)
            == .giveUp(reason: "failed after 3 attempts (last: on agent \(a): disk full)"))
        #expect(RetryDecision.decide(failedAgents: [a], lastReason: "boom", maxAttempts: 1)
            == .giveUp(reason: "failed after 1 attempt (last: boom)"))
    }

    @Test func nothingIsPlacedAgainForASettledVersion() {
        guard case .giveUp(let reason) = RetryDecision.decide(failedAgents: [a], lastReason: "boom", maxAttempts: 3, versionPending: false) else {
            Issue.record("expected to give up")
            return
        }
        #expect(reason.contains("boom"))
    }
}
