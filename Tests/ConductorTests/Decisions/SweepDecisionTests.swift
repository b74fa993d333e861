import Foundation
import Messages
import Store
import Testing

@testable import Conductor

@Suite("What the sweep fails")
struct SweepDecisionTests {
    let now = Date(timeIntervalSince1970: 100_000)
    let agent = UUID()

    func round(_ phase: PlacementPhase, secondsAgo: Double, version: Int = 0) -> PlacementRecord {
        PlacementRecord(objectID: UUID(), specID: 1, version: version, attempt: 1, phase: phase,
                        phaseSince: now.addingTimeInterval(-secondsAgo))
    }

    func decide(_ rounds: [PlacementRecord], agentState: String? = "alived") -> [SweepFailure] {
        let placements = Dictionary(uniqueKeysWithValues: rounds.map {
            ($0.objectID, ScheduledPlacement(objectID: $0.objectID, agentID: agent, agentState: agentState))
        })
        return SweepDecision.failures(rounds: rounds, placements: placements, now: now, applyDeadlineSeconds: 120,
                                      acceptedDeadlineSeconds: 900)
    }

    @Test func anObjectPastItsDeadlineFailsOnItsAgent() {
        let late = round(.scheduled, secondsAgo: 121)
        #expect(decide([late, round(.scheduled, secondsAgo: 119)]) == [
            SweepFailure(objectID: late.objectID, version: 0, agentID: ObjectID(agent),
                         reason: "no result within 120 s of being scheduled (or of the agent's last progress report)"),
        ])
    }

    @Test func anObjectOnADeadAgentFailsAtOnce() {
        let waiting = round(.scheduled, secondsAgo: 1)
        let failures = decide([waiting], agentState: "dead")
        #expect(failures.map(\.objectID) == [waiting.objectID])
        #expect(failures.first?.agentID == ObjectID(agent))
        #expect(failures.first?.reason.contains("dead") == true)
    }

    @Test func anObjectNotPlacedAgainInTimeFailsWithoutAnAgent() {
        let waiting = round(.rescheduling, secondsAgo: 400)
        #expect(decide([waiting, round(.rescheduling, secondsAgo: 10)], agentState: "dead").map(\.agentID) == [nil])
    }

    /// A version whose `Spec` never reached a scheduler has a deadline too: its objects are sent
    /// again, without an agent to blame.
    @Test func anObjectNoSchedulerTookIsSentAgainAfterItsDeadline() {
        let lost = round(.accepted, secondsAgo: 901, version: 2)
        let failures = decide([lost, round(.accepted, secondsAgo: 899)])
        #expect(failures.map(\.objectID) == [lost.objectID])
        #expect(failures.first?.agentID == nil)
        #expect(failures.first?.version == 2)
        #expect(failures.first?.reason.contains("no scheduler took it") == true)
    }

    /// Settled rounds, and rounds waiting for room (the scheduler keeps their deadline), are not
    /// the sweep's.
    @Test func settledAndWaitingObjectsAreLeftAlone() {
        #expect(decide([round(.applied, secondsAgo: 1000), round(.failed, secondsAgo: 1000),
                        round(.waiting, secondsAgo: 1000)], agentState: "dead").isEmpty)
    }
}
