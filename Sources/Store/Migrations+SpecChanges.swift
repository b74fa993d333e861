extension Migrations {
    /// Migration 8: ``Store/specChangesChannel``, so the API pushes a spec's new events to the
    /// clients that follow it instead of each client polling. Triggers rather than calls in each
    /// writer: every service records events, and none can forget to announce them. One
    /// notification per spec per statement (PostgreSQL folds equal ones within a transaction).
    static let specChanges = Migration(
        version: 8,
        name: "spec change notifications",
        statements: [
            """
            CREATE FUNCTION notify_spec_events() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_notify('\(Store.specChangesChannel)', changed.spec_id::text)
                FROM (SELECT DISTINCT spec_id FROM new_events) AS changed;
                RETURN NULL;
            END $$
            """,
            """
            CREATE TRIGGER events_notify AFTER INSERT ON events REFERENCING NEW TABLE AS new_events
            FOR EACH STATEMENT EXECUTE FUNCTION notify_spec_events()
            """,
            """
            CREATE FUNCTION notify_spec_state() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_notify('\(Store.specChangesChannel)', NEW.id::text);
                RETURN NULL;
            END $$
            """,
            """
            CREATE TRIGGER specs_notify AFTER UPDATE ON specs FOR EACH ROW
            WHEN (OLD.state IS DISTINCT FROM NEW.state OR OLD.latest_version IS DISTINCT FROM NEW.latest_version)
            EXECUTE FUNCTION notify_spec_state()
            """,
        ]
    )
}
