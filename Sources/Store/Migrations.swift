/// The schema's history, oldest first. Append new migrations at the end with the next version.
public enum Migrations {
    public static let all: [Migration] = [initialSchema, schedulerClaims, agentHeartbeats, outboxSenders, placements, agentLookups, listings, specChanges, hostDrains, deferredRemovals]

    /// Migration 1: the tables of design §5.
    ///
    /// - `specs` / `spec_versions`: append-only versions of each user document. `specs.latest_version`
    ///   is the row two writers race on, so "append version N+1 only if the latest is N" is one
    ///   conditional UPDATE.
    /// - `nodes` / `edges`: the resource graph (objects and agents). Edges carry no foreign keys so
    ///   that an edge to an object not yet recorded (or an existing resource referenced by id) can be
    ///   written in any order.
    /// - `events`: the progress log `GET /api/spec/{id}` shows, read by spec in id order.
    /// - `outbox`: messages written in the same transaction as the state that caused them, sent
    ///   later by a relay; the partial index keeps finding unsent rows cheap however many were sent.
    /// - `processed_messages`: what each consumer has already applied, so a redelivered message has
    ///   no second effect.
    static let initialSchema = Migration(
        version: 1,
        name: "initial schema",
        statements: [
            """
            CREATE TABLE specs (
                id             bigserial   PRIMARY KEY,
                created_at     timestamptz NOT NULL DEFAULT now(),
                latest_version integer     NOT NULL,
                state          text        NOT NULL DEFAULT 'pending'
            )
            """,
            """
            CREATE TABLE spec_versions (
                spec_id     bigint      NOT NULL REFERENCES specs (id) ON DELETE CASCADE,
                version     integer     NOT NULL,
                annotations jsonb       NOT NULL DEFAULT '{}',
                submitted   jsonb       NOT NULL,
                resolved    jsonb       NOT NULL,
                state       text        NOT NULL DEFAULT 'pending'
                                        CHECK (state IN ('pending', 'applied', 'failed')),
                reason      text,
                created_at  timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (spec_id, version)
            )
            """,
            """
            CREATE TABLE nodes (
                id             uuid        PRIMARY KEY,
                type           text        NOT NULL,
                name           text        NOT NULL,
                spec_id        bigint,
                desired_state  text,
                observed_state text,
                object         jsonb       NOT NULL DEFAULT '{}',
                updated_at     timestamptz NOT NULL DEFAULT now()
            )
            """,
            "CREATE INDEX nodes_spec_id ON nodes (spec_id) WHERE spec_id IS NOT NULL",
            "CREATE INDEX nodes_type ON nodes (type)",
            """
            CREATE TABLE edges (
                source     uuid   NOT NULL,
                target     uuid   NOT NULL,
                relation   text   NOT NULL,
                properties jsonb  NOT NULL DEFAULT '{}',
                spec_id    bigint,
                PRIMARY KEY (source, target, relation)
            )
            """,
            "CREATE INDEX edges_target ON edges (target)",
            "CREATE INDEX edges_spec_id ON edges (spec_id) WHERE spec_id IS NOT NULL",
            """
            CREATE TABLE events (
                id         bigserial   PRIMARY KEY,
                spec_id    bigint      NOT NULL,
                version    integer     NOT NULL,
                object_id  uuid,
                kind       text        NOT NULL,
                message    text        NOT NULL DEFAULT '',
                created_at timestamptz NOT NULL DEFAULT now()
            )
            """,
            "CREATE INDEX events_spec_id ON events (spec_id, id)",
            """
            CREATE TABLE outbox (
                id             bigserial   PRIMARY KEY,
                exchange       text        NOT NULL,
                routing_key    text        NOT NULL,
                message_type   text        NOT NULL,
                message_id     uuid        NOT NULL UNIQUE,
                correlation_id text,
                headers        jsonb       NOT NULL DEFAULT '{}',
                body           bytea       NOT NULL,
                created_at     timestamptz NOT NULL DEFAULT now(),
                sent_at        timestamptz
            )
            """,
            "CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL",
            "CREATE INDEX outbox_sent_at ON outbox (sent_at) WHERE sent_at IS NOT NULL",
            """
            CREATE TABLE processed_messages (
                consumer     text        NOT NULL,
                message_id   uuid        NOT NULL,
                processed_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (consumer, message_id)
            )
            """,
            "CREATE INDEX processed_messages_processed_at ON processed_messages (processed_at)",
        ]
    )
}
