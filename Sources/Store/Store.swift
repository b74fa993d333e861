import Logging
import PostgresNIO

/// The control plane's durable state: spec versions, the resource graph, the event log, the
/// outbox and the consumers' record of processed messages, all in one PostgreSQL database.
///
/// `Store` does no connection management of its own: it borrows connections from a
/// `PostgresClient`, and **the caller must run that client's `run()`** for as long as the store is
/// used — normally by adding the client to the daemon's `ServiceGroup` (it is a `Service`). Without
/// it, every call waits for a connection that never comes.
///
/// ```swift
/// let url = try DatabaseURL(configuration.requiredDatabaseURL())
/// let client = PostgresClient(configuration: url.configuration, backgroundLogger: logger)
/// let store = Store(client: client, logger: logger)
/// // ServiceGroup(services: [client, ...]) runs the client; then, at start-up:
/// try await store.migrate()
/// ```
///
/// Every method on `Store` runs in a transaction of its own. To make several writes atomic, open
/// one with ``withTransaction(isolation:_:)`` and call the same methods on the
/// ``StoreTransaction`` it hands you.
///
/// Errors are ``StoreError``s: the cases a caller acts on (a version conflict, a missing row, a
/// duplicate, a retryable serialization failure, an unreachable database) have their own cases.
public struct Store: Sendable {
    /// The connection pool the store borrows from. Exposed so a daemon can hand the same client to
    /// its service group; the store never calls `run()` itself.
    public let client: PostgresClient
    let logger: Logger
    /// The service whose outbox rows this store writes and relays (`n0core-api` …); nil for a
    /// store that writes none (tools, tests of other parts), whose relay takes every row.
    public let outboxSender: String?
    /// Told the spec version changes (``SpecVersionChange``) of each transaction that commits,
    /// right after the commit: how a service counts them in its metrics. Nil tells no one.
    public let onVersionChanges: (@Sendable ([SpecVersionChange]) -> Void)?

    /// - Parameters:
    ///   - client: A pool whose `run()` the caller runs (see the type's documentation).
    ///   - logger: Where query-level diagnostics go. PostgresNIO logs statements at `debug` and
    ///     never logs bound values, so documents (which may carry secrets such as a VM's
    ///     `vnc_password`) stay out of the logs.
    ///   - outboxSender: Marks the outbox rows this store writes, and limits its relay to them,
    ///     so each service publishes only its own messages (and its broker user needs only its
    ///     own routing keys).
    ///   - onVersionChanges: see ``onVersionChanges``.
    public init(
        client: PostgresClient, logger: Logger = Logger(label: "n0core.store"), outboxSender: String? = nil,
        onVersionChanges: (@Sendable ([SpecVersionChange]) -> Void)? = nil
    ) {
        self.client = client
        self.logger = logger
        self.outboxSender = outboxSender
        self.onVersionChanges = onVersionChanges
    }
}
