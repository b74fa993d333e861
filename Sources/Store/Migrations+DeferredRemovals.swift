extension Migrations {
    /// Migration 10: removals held back until an object is applied elsewhere. When a volume moves
    /// off a draining host, its old copy is the data the new one is copied from: the removal for
    /// the old volumer is written with the move but sent only once the object is applied at the
    /// move's attempt or a later one (the conductor moves the row into the outbox). A row names
    /// the agent that still holds the object's data, so a move that must be placed again copies
    /// from there.
    static let deferredRemovals = Migration(
        version: 10,
        name: "deferred removals",
        statements: [
            """
            CREATE TABLE deferred_removals (
                object_id      uuid        NOT NULL,
                agent_id       uuid        NOT NULL,
                attempt        integer     NOT NULL,
                spec_id        bigint      NOT NULL,
                exchange       text        NOT NULL,
                routing_key    text        NOT NULL,
                message_type   text        NOT NULL,
                message_id     uuid        NOT NULL UNIQUE,
                correlation_id text,
                headers        jsonb       NOT NULL DEFAULT '{}',
                body           bytea       NOT NULL,
                created_at     timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (object_id, agent_id)
            )
            """,
        ]
    )
}
