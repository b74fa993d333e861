import Foundation
import Messages
import Testing

@testable import AgentRuntime

@Suite struct ReconciliationTests {
    @Test func reportsMissingChangedAndUnexpectedObjects() {
        let (kept, gone, changed, stranger) = (ObjectID(), ObjectID(), ObjectID(), ObjectID())
        func volume(_ id: ObjectID, _ gb: UInt64) -> Object { Object(type: .volumeFile, id: id, size: Size(gb, .gb)) }
        let held = [kept, gone, changed].map { HeldObject(specID: 1, object: volume($0, 10), heldSince: Date()) }
        let found = [volume(kept, 10), volume(changed, 5), volume(stranger, 1)]
        let differences = Reconciliation.compare(held: held, found: found) { held, found in
            held.size == found.size ? [] : ["\(found.size!) instead of \(held.size!)"]
        }
        #expect(differences == [
            .missing(held[1]),
            .changed(held[2], found: found[1], details: ["5gb instead of 10gb"]),
            .unexpected(found[2]),
        ])
    }

    /// What the driver says a host's restart undid is to be restored, whatever else differs;
    /// the rest is only reported.
    @Test func restorableDifferencesAreToldApartFromTheOnesOnlyReported() {
        let (stopped, paused, off) = (ObjectID(), ObjectID(), ObjectID())
        func vm(_ id: ObjectID, _ state: String, vcpus: Int = 2) -> Object {
            Object(type: .vmKVM, id: id, desiredState: state, vcpus: vcpus)
        }
        let held = [vm(stopped, "running"), vm(paused, "running"), vm(off, "poweroff")]
            .map { HeldObject(specID: 1, object: $0, heldSince: Date()) }
        let found = [vm(stopped, "poweroff", vcpus: 4), vm(paused, "paused"), vm(off, "poweroff")]
        let differences = Reconciliation.compare(held: held, found: found, restores: { held, found in
            held.desiredState == "running" && found.desiredState == "poweroff"
        }, differences: { held, found in
            var details: [String] = []
            if held.desiredState != found.desiredState { details.append("it is \(found.desiredState!)") }
            if held.vcpus != found.vcpus { details.append("\(found.vcpus!) vcpus") }
            return details
        })
        #expect(differences == [
            .toRestore(held[0], found: found[0], details: ["it is poweroff", "4 vcpus"]),
            .changed(held[1], found: found[1], details: ["it is paused"]),
        ])
    }

    @Test func heldObjectsAreKeptRedactedAndReleased() throws {
        let directory = URL(fileURLWithPath: NSTemporaryDirectory() + "n0core-held-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let held = try HeldObjects(directory: directory)
        let id = ObjectID()
        let vm = Object(type: .vmKVM, id: id, vncPassword: "hogehoge")
        try held.hold(vm, specID: 9, attempt: 3)
        let records = held.all(logger: .init(label: "test"))
        #expect(records.map(\.specID) == [9])
        #expect(records.first?.object.vncPassword == Object.passwordMask)
        #expect(held.attempt(of: id) == 3)
        try held.release(vm, specID: 9, attempt: 4)
        try held.release(vm, specID: 9, attempt: 4)
        #expect(held.all(logger: .init(label: "test")).isEmpty, "a tombstone is not a held object")
        #expect(held.attempt(of: id) == 4, "the tombstone keeps the attempt that removed it")
        #expect(held.attempt(of: ObjectID()) == nil)
    }
}
