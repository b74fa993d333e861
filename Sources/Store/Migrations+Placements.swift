extension Migrations {
    /// Migration 5: where every object stands in its round, so nothing waits without a deadline
    /// and abandoned attempts are fenced off.
    ///
    /// - `placements`: one row per object: the spec version it is driven to (`version`, so a
    ///   scheduler never acts on an older version than the object carries), the number of its
    ///   latest `Request` (`attempt`, carried by the Request, the agent's held state and the
    ///   Notify), its `phase` (`accepted` by the API, `waiting` for room, `scheduled` on an agent,
    ///   `rescheduling`, then `applied` or `failed`) and since when (`phase_since`, which an
    ///   agent's progress report moves on). The sweeper reads only the rows still in flight.
    /// - `deferred_specs`: `Spec` messages the scheduler could not place yet for want of an
    ///   alive agent or free capacity, kept with the reason and tried again until the scheduling
    ///   deadline.
    /// - `spec_versions.state` gains `superseded`: a version replaced by a later one before it
    ///   settled.
    static let placements = Migration(
        version: 5,
        name: "placements, deferred specs, superseded versions",
        statements: [
            """
            CREATE TABLE placements (
                object_id   uuid        PRIMARY KEY,
                spec_id     bigint      NOT NULL,
                version     integer     NOT NULL,
                attempt     integer     NOT NULL DEFAULT 0,
                phase       text        NOT NULL,
                phase_since timestamptz NOT NULL DEFAULT now()
            )
            """,
            """
            CREATE INDEX placements_in_flight ON placements (phase_since)
            WHERE phase IN ('accepted', 'scheduled', 'rescheduling')
            """,
            "CREATE INDEX placements_spec ON placements (spec_id)",
            """
            CREATE TABLE deferred_specs (
                message_id      uuid        PRIMARY KEY,
                spec_id         bigint      NOT NULL,
                version         integer     NOT NULL,
                message         bytea       NOT NULL,
                traceparent     text,
                reason          text        NOT NULL,
                deferred_at     timestamptz NOT NULL DEFAULT now(),
                next_attempt_at timestamptz NOT NULL DEFAULT now(),
                attempts        integer     NOT NULL DEFAULT 0
            )
            """,
            "CREATE INDEX deferred_specs_due ON deferred_specs (next_attempt_at)",
            "ALTER TABLE spec_versions DROP CONSTRAINT spec_versions_state_check",
            """
            ALTER TABLE spec_versions ADD CONSTRAINT spec_versions_state_check
            CHECK (state IN ('pending', 'applied', 'failed', 'superseded'))
            """,
        ]
    )
}
