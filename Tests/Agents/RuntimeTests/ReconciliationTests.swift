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
        try held.hold(Object(type: .vmKVM, id: id, vncPassword: "hogehoge"), specID: 9)
        let records = held.all(logger: .init(label: "test"))
        #expect(records.map(\.specID) == [9])
        #expect(records.first?.object.vncPassword == Object.passwordMask)
        try held.release(id)
        try held.release(id)
        #expect(held.all(logger: .init(label: "test")).isEmpty)
    }
}
