import Logging
import PostgresNIO

/// One open database transaction, handed to the closure of ``Store/withTransaction(isolation:_:)``.
///
/// It offers the same operations as ``Store`` (specs, events, graph, outbox, processed messages),
/// but all of them run in this one transaction: they commit together when the closure returns and
/// roll back together when it throws. That is how a service makes its writes and the messages it
/// wants published atomic (the outbox pattern), and how a consumer records "message processed"
/// together with the message's effect.
///
/// Use it only inside the closure it was given to; it borrows a pooled connection that goes back to
/// the pool when the closure ends. After any ``StoreError`` from the database the transaction is
/// aborted by PostgreSQL, so rethrow rather than carry on with further statements.
public struct StoreTransaction: Sendable {
    let connection: PostgresConnection
    let logger: Logger
    /// See ``Store/outboxSender``.
    let outboxSender: String?
    /// The spec version changes made so far, for ``Store/onVersionChanges`` after the commit.
    let versionChanges = SpecVersionChangeLog()

    /// Runs one statement and collects its rows, translating database errors.
    @discardableResult
    func run(_ query: PostgresQuery) async throws -> [PostgresRow] {
        do {
            return try await connection.query(query, logger: logger).collect()
        } catch {
            throw StoreError.from(error)
        }
    }

    /// Makes the rest of this transaction read-only: a preview that must change nothing cannot.
    /// Call it first, before any statement.
    public func makeReadOnly() async throws {
        try await run("SET TRANSACTION READ ONLY")
    }
}

extension Store {
    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws (and
    /// the error is rethrown as it was). Use it to compose several writes atomically:
    ///
    /// ```swift
    /// try await store.withTransaction { tx in
    ///     guard try await tx.markProcessed(consumer: "conductor", messageID: id) else { return }
    ///     try await tx.upsertNodes([node])
    ///     try await tx.appendEvents([Event(specID: 7, version: 0, objectID: node.id, kind: .applied)])
    ///     try await tx.enqueueOutbox([message])
    /// }
    /// ```
    ///
    /// Transactions run at READ COMMITTED; a ``StoreError/retryable(_:)`` error means the whole
    /// closure may be run again.
    public func withTransaction<Result: Sendable>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: (StoreTransaction) async throws -> Result
    ) async throws -> Result {
        let logger = self.logger
        let outboxSender = self.outboxSender
        let onVersionChanges = self.onVersionChanges
        return try await translatingErrors {
            try await client.withConnection(isolation: isolation) { connection in
                try await connection.query("BEGIN", logger: logger)
                let transaction = StoreTransaction(connection: connection, logger: logger, outboxSender: outboxSender)
                let result: Result
                do {
                    result = try await body(transaction)
                } catch {
                    do {
                        try await connection.query("ROLLBACK", logger: logger)
                    } catch {
                        // A connection that cannot roll back is in an unknown state: close it so
                        // the pool replaces it instead of lending out a half-open transaction.
                        logger.warning("rollback failed, closing the connection", metadata: ["error": "\(StoreError.from(error))"])
                        try? await connection.close()
                    }
                    throw error
                }
                try await connection.query("COMMIT", logger: logger)
                transaction.versionChanges.report(to: onVersionChanges)
                return result
            }
        }
    }
}

extension Store {
    /// Lends a connection without opening a transaction, for operations that are one statement
    /// (atomic on their own): saves the BEGIN and COMMIT round trips on hot reads and writes.
    func withConnection<Result: Sendable>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: (StoreTransaction) async throws -> Result
    ) async throws -> Result {
        let logger = self.logger
        let outboxSender = self.outboxSender
        let onVersionChanges = self.onVersionChanges
        return try await translatingErrors {
            try await client.withConnection(isolation: isolation) { connection in
                let statement = StoreTransaction(connection: connection, logger: logger, outboxSender: outboxSender)
                let result = try await body(statement)
                // One statement, committed on its own.
                statement.versionChanges.report(to: onVersionChanges)
                return result
            }
        }
    }
}
