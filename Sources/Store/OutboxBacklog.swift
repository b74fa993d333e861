import PostgresNIO

/// What is waiting in the outbox for a relay: how far behind the messages' state changes the
/// broker is. Rows being published right now still count: they are not sent until marked so.
public struct OutboxBacklog: Sendable, Equatable {
    /// Unsent rows.
    public var pending: Int
    /// How long the oldest unsent row has waited, by the database's clock; zero when none waits.
    public var oldestAge: Duration

    public init(pending: Int, oldestAge: Duration) {
        self.pending = pending
        self.oldestAge = oldestAge
    }
}

extension StoreTransaction {
    /// The backlog of the rows this store's relay sends (its ``Store/outboxSender``'s and rows
    /// without a sender; every row when it has none). Cheap while the backlog is small: the
    /// partial indexes hold only unsent rows.
    public func outboxBacklog() async throws -> OutboxBacklog {
        let query: PostgresQuery = if let outboxSender {
            """
            SELECT count(*)::bigint, COALESCE(EXTRACT(EPOCH FROM clock_timestamp() - min(created_at)), 0)::float8
            FROM outbox WHERE sent_at IS NULL AND (sender = \(outboxSender) OR sender IS NULL)
            """
        } else {
            """
            SELECT count(*)::bigint, COALESCE(EXTRACT(EPOCH FROM clock_timestamp() - min(created_at)), 0)::float8
            FROM outbox WHERE sent_at IS NULL
            """
        }
        let (pending, age) = try await run(query)[0].decode((Int, Double).self)
        return OutboxBacklog(pending: pending, oldestAge: .seconds(max(0, age)))
    }
}

extension Store {
    /// See ``StoreTransaction/outboxBacklog()``.
    public func outboxBacklog() async throws -> OutboxBacklog {
        try await withConnection { tx in try await tx.outboxBacklog() }
    }
}
