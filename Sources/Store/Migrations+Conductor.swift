extension Migrations {
    /// Migration 3: the conductor's own state.
    ///
    /// - `agent_heartbeats`: when each agent was last heard from and how often it promised to
    ///   speak, so the conductor can declare it dead after three silent intervals.
    /// - `conductor_failures`: one row per failed attempt to apply an object of a spec version
    ///   (an `ERROR` notify, a missed deadline, a dead agent), naming the agent it failed on. The
    ///   rows of one (object, version) are its attempts so far and the agents the next placement
    ///   must avoid; a later version starts afresh.
    /// - `spec_versions_pending`: the sweeper looks for pending versions every few seconds; a
    ///   partial index keeps that cheap however many versions are settled.
    static let agentHeartbeats = Migration(
        version: 3,
        name: "conductor heartbeats and failures",
        statements: [
            """
            CREATE TABLE agent_heartbeats (
                agent_id         uuid        PRIMARY KEY,
                interval_seconds integer     NOT NULL,
                last_seen        timestamptz NOT NULL
            )
            """,
            """
            CREATE TABLE conductor_failures (
                id        bigserial   PRIMARY KEY,
                spec_id   bigint      NOT NULL,
                version   integer     NOT NULL,
                object_id uuid        NOT NULL,
                agent_id  uuid,
                reason    text        NOT NULL,
                failed_at timestamptz NOT NULL DEFAULT now()
            )
            """,
            "CREATE INDEX conductor_failures_object ON conductor_failures (object_id, version)",
            "CREATE INDEX spec_versions_pending ON spec_versions (spec_id) WHERE state = 'pending'",
        ]
    )
}
