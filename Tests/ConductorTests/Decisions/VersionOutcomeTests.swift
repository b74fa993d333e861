import Foundation
import Testing

@testable import Conductor

@Suite("Version outcome")
struct VersionOutcomeTests {
    func status(_ state: ObjectStatus.State, version: Int = 0, message: String = "", at seconds: Double = 0) -> ObjectStatus {
        ObjectStatus(objectID: UUID(), version: version, state: state, since: Date(timeIntervalSince1970: seconds), message: message)
    }

    @Test func appliedWhenEveryObjectOfTheVersionIs() {
        let statuses = [status(.applied), status(.applied), status(.applied), status(.applied)]
        #expect(VersionOutcome.decide(version: 0, statuses: statuses) == .applied(objects: 4))
    }

    @Test func pendingWhileOneIsWaitingOrBeingRescheduled() {
        #expect(VersionOutcome.decide(version: 0, statuses: [status(.applied), status(.scheduled)]) == .pending)
        #expect(VersionOutcome.decide(version: 0, statuses: [status(.applied), status(.rescheduling)]) == .pending)
    }

    @Test func failedWithTheReasonOfTheFirstFailedObject() {
        let statuses = [status(.applied), status(.failed, message: "second", at: 2), status(.failed, message: "first", at: 1)]
        #expect(VersionOutcome.decide(version: 0, statuses: statuses) == .failed(reason: "first"))
    }

    @Test func onlyObjectsOfThatVersionCount() {
        let statuses = [status(.applied, version: 1), status(.scheduled, version: 0)]
        #expect(VersionOutcome.decide(version: 1, statuses: statuses) == .applied(objects: 1))
        #expect(VersionOutcome.decide(version: 2, statuses: statuses) == .pending)
    }
}
