import Foundation
import Messages
import Store
import Testing

@testable import Conductor

@Suite("What the sweep fails")
struct SweepDecisionTests {
    let now = Date(timeIntervalSince1970: 100_000)
    let agent = UUID()

    func status(_ state: ObjectStatus.State, secondsAgo: Double, version: Int = 0) -> ObjectStatus {
        ObjectStatus(objectID: UUID(), version: version, state: state, since: now.addingTimeInterval(-secondsAgo), message: "")
    }

    func decide(_ statuses: [ObjectStatus], agentState: String? = "alived", pending: Set<Int> = [0]) -> [SweepFailure] {
        let placements = Dictionary(uniqueKeysWithValues: statuses.map {
            ($0.objectID, ScheduledPlacement(objectID: $0.objectID, agentID: agent, agentState: agentState))
        })
        return SweepDecision.failures(statuses: statuses, pendingVersions: pending, placements: placements,
                                      now: now, applyDeadlineSeconds: 300)
    }

    @Test func anObjectPastItsDeadlineFailsOnItsAgent() {
        let late = status(.scheduled, secondsAgo: 301)
        #expect(decide([late, status(.scheduled, secondsAgo: 299)]) == [
            SweepFailure(objectID: late.objectID, version: 0, agentID: ObjectID(agent),
                         reason: "not applied within 300 s of being scheduled"),
        ])
    }

    @Test func anObjectOnADeadAgentFailsAtOnce() {
        let waiting = status(.scheduled, secondsAgo: 1)
        let failures = decide([waiting], agentState: "dead")
        #expect(failures.map(\.objectID) == [waiting.objectID])
        #expect(failures.first?.agentID == ObjectID(agent))
        #expect(failures.first?.reason.contains("dead") == true)
    }

    @Test func anObjectNotPlacedAgainInTimeFailsWithoutAnAgent() {
        let waiting = status(.rescheduling, secondsAgo: 400)
        #expect(decide([waiting, status(.rescheduling, secondsAgo: 10)], agentState: "dead").map(\.agentID) == [nil])
    }

    @Test func settledObjectsAndVersionsAreLeftAlone() {
        #expect(decide([status(.applied, secondsAgo: 1000), status(.failed, secondsAgo: 1000)], agentState: "dead").isEmpty)
        #expect(decide([status(.scheduled, secondsAgo: 1000, version: 1)], pending: [0]).isEmpty)
    }
}
