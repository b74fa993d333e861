import PostgresNIO

extension Store {
    /// Every daemon migrates at start-up, so two of them may start at once: each migration takes
    /// this transaction-scoped advisory lock first, and the second process waits, then finds the
    /// migration recorded and skips it. ("n0core" in ASCII.)
    static let migrationLockKey: Int64 = 0x6E30_636F_7265

    /// Applies the migrations the database lacks, in version order, each in its own transaction,
    /// and records them in `schema_migrations`. Safe to run concurrently from several processes and
    /// a no-op when the schema is current.
    ///
    /// - Returns: the migrations this call applied (empty when none were missing).
    @discardableResult
    public func migrate(_ migrations: [Migration] = Migrations.all) async throws -> [Migration] {
        var applied: [Migration] = []
        for migration in migrations.sorted(by: { $0.version < $1.version }) {
            let didApply = try await withTransaction { tx in
                // A migration waits for another process's, and may rewrite a big table: neither
                // is bounded by the connection's default timeouts.
                try await tx.run("SET LOCAL lock_timeout = 0")
                try await tx.run("SET LOCAL statement_timeout = 0")
                try await tx.run("SELECT pg_advisory_xact_lock(\(Self.migrationLockKey))")
                try await tx.run("""
                    CREATE TABLE IF NOT EXISTS schema_migrations (
                        version    integer     PRIMARY KEY,
                        name       text        NOT NULL,
                        applied_at timestamptz NOT NULL DEFAULT now()
                    )
                    """)
                let existing = try await tx.run(
                    "SELECT name FROM schema_migrations WHERE version = \(migration.version)")
                if let row = existing.first {
                    let name = try row.decode(String.self)
                    if name != migration.name {
                        logger.warning("migration recorded under another name", metadata: [
                            "version": "\(migration.version)", "recorded": "\(name)", "code": "\(migration.name)",
                        ])
                    }
                    return false
                }
                for statement in migration.statements {
                    try await tx.run(PostgresQuery(unsafeSQL: statement))
                }
                try await tx.run("""
                    INSERT INTO schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))
                    """)
                return true
            }
            if didApply {
                logger.info("applied migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
                applied.append(migration)
            }
        }
        // A database migrated by a newer release still works with this one (migrations only add),
        // but an operator rolling back should know.
        let known = Set(migrations.map(\.version))
        let unknown = try await appliedMigrations().filter { !known.contains($0) }
        if !unknown.isEmpty {
            logger.warning("the database holds migrations this build does not know (a newer release migrated it)", metadata: [
                "versions": "\(unknown)",
            ])
        }
        return applied
    }

    /// The versions recorded in `schema_migrations`, ascending (empty before the first migration).
    public func appliedMigrations() async throws -> [Int] {
        try await withTransaction { tx in
            let exists = try await tx.run("SELECT to_regclass('schema_migrations') IS NOT NULL")
            guard try exists.first?.decode(Bool.self) == true else { return [] }
            return try await tx.run("SELECT version FROM schema_migrations ORDER BY version")
                .map { try $0.decode(Int.self) }
        }
    }
}
