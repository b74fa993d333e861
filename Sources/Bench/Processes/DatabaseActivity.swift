import Logging
import PostgresNIO

/// The database's own counters for the system's database (`pg_stat_database`), so a phase can
/// say how many transactions and rows one spec costs. PostgreSQL publishes them at the end of
/// each transaction (and at least every second), so they are exact over a phase of seconds,
/// not per spec.
struct DatabaseCounters: Sendable {
    var transactions: Int64
    var rowsRead: Int64
    var rowsWritten: Int64

    static func read(client: PostgresClient, logger: Logger) async throws -> DatabaseCounters {
        let rows = try await client.query("""
            SELECT xact_commit + xact_rollback, tup_fetched, tup_inserted + tup_updated + tup_deleted
            FROM pg_stat_database WHERE datname = current_database()
            """, logger: logger)
        for try await (transactions, read, written) in rows.decode((Int64, Int64, Int64).self) {
            return DatabaseCounters(transactions: transactions, rowsRead: read, rowsWritten: written)
        }
        throw BenchError("pg_stat_database has no row for the current database")
    }

    /// What happened between `earlier` and these counters, per applied spec, leaving out
    /// `ownTransactions` (the benchmark's own queries).
    func perSpec(since earlier: DatabaseCounters, specs: Int, ownTransactions: Int = 0) -> DatabaseActivity? {
        guard specs > 0 else { return nil }
        let count = Double(specs)
        return DatabaseActivity(
            transactionsPerSpec: Double(transactions - earlier.transactions - Int64(ownTransactions)) / count,
            rowsReadPerSpec: Double(rowsRead - earlier.rowsRead) / count,
            rowsWrittenPerSpec: Double(rowsWritten - earlier.rowsWritten) / count)
    }
}

/// Database work per applied spec during a phase, by every service (the benchmark's own
/// event-log queries are left out of the transactions; their rows, few, are not).
public struct DatabaseActivity: Codable, Sendable, Hashable {
    public var transactionsPerSpec: Double
    public var rowsReadPerSpec: Double
    public var rowsWrittenPerSpec: Double

    public init(transactionsPerSpec: Double, rowsReadPerSpec: Double, rowsWrittenPerSpec: Double) {
        self.transactionsPerSpec = transactionsPerSpec
        self.rowsReadPerSpec = rowsReadPerSpec
        self.rowsWrittenPerSpec = rowsWrittenPerSpec
    }
}
