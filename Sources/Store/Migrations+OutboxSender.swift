extension Migrations {
    /// Migration 4: `outbox.sender`, the service that wrote a row. Each service's relay publishes
    /// only its own rows, so a service never sends another's messages and its broker user needs
    /// only its own routing keys (deploy/rabbitmq-setup.sh). Rows from before have no sender and
    /// may be sent by any relay.
    static let outboxSenders = Migration(
        version: 4,
        name: "outbox senders",
        statements: [
            "ALTER TABLE outbox ADD COLUMN sender text",
            "CREATE INDEX outbox_unsent_by_sender ON outbox (sender, id) WHERE sent_at IS NULL",
        ]
    )
}
