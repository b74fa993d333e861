import Foundation
import Store
import Testing

@testable import Conductor

@Suite("Object status from the event log")
struct ObjectStatusTests {
    let vm = UUID()
    let volume = UUID()

    func at(_ seconds: Double) -> Date { Date(timeIntervalSince1970: 1_000 + seconds) }

    @Test func followsEachObjectThroughItsRound() {
        let events = [
            Event(specID: 1, version: 0, kind: "ACCEPTED", createdAt: at(0)),
            Event(specID: 1, version: 0, objectID: vm, kind: .scheduled, createdAt: at(1)),
            Event(specID: 1, version: 0, objectID: volume, kind: .scheduled, createdAt: at(1)),
            Event(specID: 1, version: 0, objectID: volume, kind: .applied, message: "ok", createdAt: at(2)),
            Event(specID: 1, version: 0, objectID: vm, kind: .rescheduled, message: "again", createdAt: at(3)),
        ]
        let statuses = ObjectStatus.statuses(from: events)
        #expect(statuses.count == 2)
        #expect(statuses[volume] == ObjectStatus(objectID: volume, version: 0, state: .applied, since: at(2), message: "ok"))
        #expect(statuses[vm] == ObjectStatus(objectID: vm, version: 0, state: .rescheduling, since: at(3), message: "again"))
    }

    @Test func aNewSchedulingStartsANewRound() {
        let events = [
            Event(specID: 1, version: 0, objectID: vm, kind: .scheduled, createdAt: at(1)),
            Event(specID: 1, version: 0, objectID: vm, kind: .rescheduled, createdAt: at(2)),
            Event(specID: 1, version: 0, objectID: vm, kind: .scheduled, message: "on B", createdAt: at(3)),
        ]
        #expect(ObjectStatus.statuses(from: events)[vm]?.state == .scheduled)
        #expect(ObjectStatus.statuses(from: events)[vm]?.since == at(3))
    }

    @Test func aLateEventOfAnOlderVersionDoesNotMoveTheObjectBack() {
        let events = [
            Event(specID: 1, version: 0, objectID: vm, kind: .scheduled, createdAt: at(1)),
            Event(specID: 1, version: 1, objectID: vm, kind: .scheduled, createdAt: at(2)),
            Event(specID: 1, version: 0, objectID: vm, kind: .applied, createdAt: at(3)),
        ]
        let status = ObjectStatus.statuses(from: events)[vm]
        #expect(status?.version == 1)
        #expect(status?.state == .scheduled)
    }

    @Test func anObjectTheSchedulerCouldNotPlaceIsFailed() {
        let events = [Event(specID: 1, version: 2, objectID: vm, kind: .failed, message: "no alive agent", createdAt: at(1))]
        #expect(ObjectStatus.statuses(from: events)[vm] == ObjectStatus(
            objectID: vm, version: 2, state: .failed, since: at(1), message: "no alive agent"))
    }
}
