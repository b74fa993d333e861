import Foundation
import Store
import Synchronization
import TestSupport
import Testing

/// One item of a batch that fails undoes its own writes only; the transaction carries on.
@Suite("Savepoints", .enabled(if: IntegrationEnvironment.hasDatabase))
struct SavepointTests {
    struct Refused: Error {}

    @Test func aFailedItemIsRolledBackAloneAndTheOthersCommit() async throws {
        try await IntegrationEnvironment.withIsolatedStore(maximumConnections: 4) { plain in
            let observed = Mutex<[[SpecVersionChange]]>([])
            let store = Store(client: plain.client, onVersionChanges: { changes in observed.withLock { $0.append(changes) } })
            let first = UUID(), failed = UUID(), broken = UUID(), last = UUID()
            let outcomes = try await store.withTransaction { tx in
                let a = try await tx.savepoint { try await tx.markProcessed(consumer: "test", messageID: first) }
                // Fails after a spec version was stored: the version and its change go with it.
                let b = try await tx.savepoint { () -> Bool in
                    _ = try await tx.markProcessed(consumer: "test", messageID: failed)
                    _ = try await tx.createSpec(SpecTests.document(0))
                    throw Refused()
                }
                // A statement the database refuses aborts only its savepoint.
                let c = try await tx.savepoint { () -> Bool in
                    _ = try await tx.markProcessed(consumer: "test", messageID: broken)
                    _ = try await tx.createSpec(NewSpecVersion(submitted: "not json", resolved: "{}"))
                    return true
                }
                let d = try await tx.savepoint { () -> Int64 in
                    _ = try await tx.markProcessed(consumer: "test", messageID: last)
                    return try await tx.createSpec(SpecTests.document(0)).specID
                }
                return [a.map { _ in 0 }, b.map { _ in 0 }, c.map { _ in 0 }, d].map { (try? $0.get()) != nil }
            }
            #expect(outcomes == [true, false, false, true])
            for (id, recorded) in [(first, true), (failed, false), (broken, false), (last, true)] {
                let fresh = try await store.withTransaction { tx in try await tx.markProcessed(consumer: "test", messageID: id) }
                #expect(fresh != recorded, "\(id)")
            }
            #expect(try await store.client.query("SELECT count(*) FROM specs").collect()[0].decode(Int.self) == 1)
            #expect(observed.withLock { $0 } == [[.accepted]], "only the committed spec's change is reported")
        }
    }
}
