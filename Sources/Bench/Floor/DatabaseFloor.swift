import Foundation
import Logging
import PostgresNIO

/// PostgreSQL's own latency for what every hop of the pipeline ends with: a transaction that
/// writes one row and commits (`BEGIN`, `INSERT`, `COMMIT` on a pooled connection, as
/// `Store.withTransaction` does), through the `PostgresClient` the services use.
public enum DatabaseFloor {
    /// `samples` commits (after `warmup` unrecorded ones) into a table of its own, dropped
    /// afterwards. The client's `run()` must be running.
    public static func measure(client: PostgresClient, samples: Int, warmup: Int = 50, logger: Logger) async throws -> LatencySummary {
        let table = "n0core_bench_floor_" + UUID().uuidString.prefix(8).lowercased()
        try await client.query(PostgresQuery(unsafeSQL: """
            CREATE TABLE \(table) (id bigserial PRIMARY KEY, note text NOT NULL, at timestamptz NOT NULL DEFAULT now())
            """), logger: logger)
        do {
            var commits: [Duration] = []
            let insert = "INSERT INTO \(table) (note) VALUES ($1)"
            for index in 0..<(warmup + samples) {
                var bindings = PostgresBindings()
                bindings.append("sample \(index)")
                let query = PostgresQuery(unsafeSQL: insert, binds: bindings)
                let start = ContinuousClock.now
                try await client.withConnection { connection in
                    try await connection.query("BEGIN", logger: logger)
                    try await connection.query(query, logger: logger)
                    try await connection.query("COMMIT", logger: logger)
                }
                if index >= warmup { commits.append(ContinuousClock.now - start) }
            }
            try await client.query(PostgresQuery(unsafeSQL: "DROP TABLE \(table)"), logger: logger)
            return LatencySummary(commits)
        } catch {
            _ = try? await client.query(PostgresQuery(unsafeSQL: "DROP TABLE IF EXISTS \(table)"), logger: logger)
            throw error
        }
    }

    /// The settings that decide what a commit costs: whether it waits for the disk.
    public static func settings(client: PostgresClient, logger: Logger) async throws -> [String: String] {
        let rows = try await client.query("""
            SELECT name, setting FROM pg_settings
            WHERE name IN ('fsync', 'synchronous_commit', 'wal_sync_method', 'commit_delay')
            """, logger: logger)
        var settings: [String: String] = [:]
        for try await (name, setting) in rows.decode((String, String).self) { settings[name] = setting }
        return settings
    }
}
