import Foundation
import Store
import Synchronization
import TestSupport
import Testing

/// The store tells its observer each spec version change once its transaction committed: never
/// for one rolled back, and with the time from acceptance by the database's clock.
@Suite("Spec version changes", .enabled(if: IntegrationEnvironment.hasDatabase))
struct SpecVersionChangeTests {
    final class Observed: Sendable {
        let changes = Mutex<[[SpecVersionChange]]>([])
        func take() -> [[SpecVersionChange]] {
            changes.withLock { changes in
                defer { changes.removeAll() }
                return changes
            }
        }
    }

    struct Boom: Error {}

    @Test func committedChangesAreReportedOnceAndRolledBackOnesNever() async throws {
        try await IntegrationEnvironment.withIsolatedStore(maximumConnections: 4) { plain in
            let observed = Observed()
            let store = Store(client: plain.client, onVersionChanges: { changes in observed.changes.withLock { $0.append(changes) } })

            let created = try await store.createSpec(SpecTests.document(0))
            #expect(observed.take() == [[.accepted]])

            await #expect(throws: Boom.self) {
                try await store.withTransaction { tx in
                    try await tx.appendVersion(specID: created.specID, version: 1, SpecTests.document(1))
                    throw Boom()
                }
            }
            #expect(observed.take().isEmpty, "a rolled-back version was never accepted")

            try await Task.sleep(for: .milliseconds(250))
            try await store.setState(.applied, specID: created.specID, version: 0)
            let applied = observed.take()
            guard case .settled(.applied, let after)? = applied.first?.first, applied.count == 1 else {
                Issue.record("one applied version: \(applied)")
                return
            }
            #expect(after >= .milliseconds(250) && after < .seconds(30), "from the stored acceptance: \(after)")

            // One transaction, one report: a version accepted, the pending one it replaces superseded.
            try await store.withTransaction { tx in
                try await tx.appendVersion(specID: created.specID, version: 1, SpecTests.document(1))
                try await tx.appendVersion(specID: created.specID, version: 2, SpecTests.document(2))
                try await tx.supersedeVersions(specID: created.specID, before: 2)
            }
            let replaced = observed.take()
            #expect(replaced.count == 1)
            let changes = replaced.first ?? []
            #expect(changes.count == 3, "version 0 was settled already: \(changes)")
            #expect(Array(changes.prefix(2)) == [.accepted, .accepted])
            if case .settled(.superseded, _)? = changes.last {} else {
                Issue.record("version 1 superseded: \(changes)")
            }
        }
    }
}
