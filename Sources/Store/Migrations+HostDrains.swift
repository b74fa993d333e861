extension Migrations {
    /// Migration 9: hosts an operator is draining. A host is not a row of its own anywhere else
    /// (it is the `host_id` its agents report), so only the drained ones are stored; the
    /// scheduler's agent query leaves their agents out of new placements.
    static let hostDrains = Migration(
        version: 9,
        name: "host drains",
        statements: [
            """
            CREATE TABLE host_drains (
                host_id uuid        PRIMARY KEY,
                reason  text        NOT NULL,
                since   timestamptz NOT NULL DEFAULT now()
            )
            """,
            // The scheduler compares with the host id as its agents report it (text in `object`).
            "CREATE INDEX host_drains_host_text ON host_drains ((host_id::text))",
        ]
    )
}
