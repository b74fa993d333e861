import PostgresNIO
import Store
import TestSupport
import Testing

@Suite("Migrations", .enabled(if: IntegrationEnvironment.hasDatabase))
struct MigrationTests {
    // A schema of its own: the shared one may hold migrations of a newer build run on this machine.
    @Test func secondRunAppliesNothing() async throws {
        try await IntegrationEnvironment.withIsolatedStore(maximumConnections: 8) { store in
            let before = try await store.appliedMigrations()
            #expect(before == Migrations.all.map(\.version))
            let applied = try await store.migrate()
            #expect(applied.isEmpty)
            #expect(try await store.appliedMigrations() == before)
        }
    }

    @Test func fromNothingTwiceAndConcurrently() async throws {
        try await IntegrationEnvironment.withIsolatedStore(migrate: false, maximumConnections: 8) { store in
            #expect(try await store.appliedMigrations().isEmpty)

            // Two services starting at once: both succeed, the migrations are applied once.
            async let first = store.migrate()
            async let second = store.migrate()
            let (a, b) = try await (first, second)
            #expect((a + b).map(\.version).sorted() == Migrations.all.map(\.version))

            #expect(try await store.migrate().isEmpty)
            #expect(try await store.appliedMigrations() == Migrations.all.map(\.version))

            // The tables exist in this schema, and the store works on them.
            let spec = try await store.createSpec(NewSpecVersion(submitted: "{}", resolved: "{}"))
            #expect(try await store.specVersion(spec.specID)?.version == StoreTransaction.firstVersion)
        }
    }
}
