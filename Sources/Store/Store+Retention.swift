import Foundation
import PostgresNIO

/// What the store keeps only for a while, and for how long (design §5: the control plane's
/// tables must not grow without bound).
public struct RetentionPeriods: Sendable, Equatable {
    /// Outbox rows after they were sent (their bodies may hold VNC passwords).
    public var sentOutbox: Duration
    /// Consumers' records of processed messages: longer than any message can be redelivered.
    public var processedMessages: Duration
    /// Events, failed-attempt records and placement rounds of versions that settled and are no
    /// longer their spec's latest.
    public var settledHistory: Duration

    public init(sentOutbox: Duration = .seconds(300), processedMessages: Duration = .seconds(7 * 86_400),
                settledHistory: Duration = .seconds(90 * 86_400)) {
        self.sentOutbox = sentOutbox
        self.processedMessages = processedMessages
        self.settledHistory = settledHistory
    }
}

/// How many rows one pass deleted.
public struct PruneReport: Sendable, Equatable {
    public var outbox = 0
    public var processedMessages = 0
    public var events = 0
    public var failures = 0

    public init() {}

    public var total: Int { outbox + processedMessages + events + failures }
}

extension Store {
    /// Deletes what has outlived `periods`, in batches of `batch` rows per statement (each in
    /// its own short transaction, so no pass holds locks for long). Unsent outbox rows, pending
    /// versions and every spec's latest version are never touched.
    @discardableResult
    public func prune(_ periods: RetentionPeriods, batch: Int = 5_000) async throws -> PruneReport {
        var report = PruneReport()
        report.outbox = try await deleteInBatches(batch) { limit in
            """
            DELETE FROM outbox WHERE id IN (
                SELECT id FROM outbox WHERE sent_at < now() - make_interval(secs => \(Self.seconds(periods.sentOutbox)))
                LIMIT \(limit))
            """
        }
        report.processedMessages = try await deleteInBatches(batch) { limit in
            """
            DELETE FROM processed_messages WHERE (consumer, message_id) IN (
                SELECT consumer, message_id FROM processed_messages
                WHERE processed_at < now() - make_interval(secs => \(Self.seconds(periods.processedMessages)))
                LIMIT \(limit))
            """
        }
        let settled = Self.seconds(periods.settledHistory)
        // Rows of versions that settled and are not their spec's latest, older than `settled`.
        func settledHistory(_ table: String, stamped column: String) -> (Int) -> PostgresQuery {
            { limit in
                PostgresQuery(unsafeSQL: """
                    DELETE FROM \(table) WHERE id IN (
                        SELECT r.id FROM \(table) r
                        JOIN spec_versions v ON v.spec_id = r.spec_id AND v.version = r.version
                        JOIN specs s ON s.id = r.spec_id
                        WHERE v.state <> 'pending' AND v.version < s.latest_version
                          AND r.\(column) < now() - make_interval(secs => $1)
                        LIMIT $2)
                    """, binds: Self.binds(settled, limit))
            }
        }
        report.events = try await deleteInBatches(batch, settledHistory("events", stamped: "created_at"))
        report.failures = try await deleteInBatches(batch, settledHistory("conductor_failures", stamped: "failed_at"))
        return report
    }

    private func deleteInBatches(_ batch: Int, _ statement: (Int) -> PostgresQuery) async throws -> Int {
        var total = 0
        while true {
            let delete = statement(batch)
            let counted = PostgresQuery(unsafeSQL: "WITH deleted AS (\(delete.sql) RETURNING 1) SELECT count(*)::int FROM deleted",
                                        binds: delete.binds)
            let deleted = try await withTransaction { tx in try await tx.run(counted)[0].decode(Int.self) }
            total += deleted
            if deleted < batch { return total }
        }
    }

    static func binds(_ seconds: Double, _ limit: Int) -> PostgresBindings {
        var binds = PostgresBindings()
        binds.append(seconds)
        binds.append(limit)
        return binds
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
