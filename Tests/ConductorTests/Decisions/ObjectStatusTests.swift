import Foundation
import Store
import TestSupport
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

    /// Each object's last status event of its highest version gives the statuses the whole log
    /// gives: what lets the conductor read one event per object (`latestObjectEvents`).
    @Test("the latest event per object decides as the whole log does", arguments: 1...60)
    func latestEventPerObjectIsEnough(seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        let objects = (0..<(1 + random.next(4))).map { _ in UUID() }
        let kinds: [EventKind] = [.scheduled, .applied, .rescheduled, .failed, .waiting, .abandoned, "ACCEPTED"]
        var events: [Event] = []
        for index in 0..<random.next(40) {
            // Versions mostly move forward, with late results of older ones mixed in.
            let version = max(0, index / 8 - random.next(2))
            let object = random.next(6) == 0 ? nil : objects[random.next(objects.count)]
            events.append(Event(id: Int64(index + 1), specID: 1, version: version, objectID: object,
                                kind: kinds[random.next(kinds.count)], message: "\(index)", createdAt: at(Double(index))))
        }
        let latest = EventLog.latestPerObject(events, kinds: ObjectStatus.statusKinds)
        #expect(ObjectStatus.statuses(from: latest) == ObjectStatus.statuses(from: events), "seed \(seed)")
        #expect(Set(latest.compactMap(\.objectID)).count == latest.count, "one event per object")
    }
}
