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
