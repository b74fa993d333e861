import Foundation
import PostgresNIO

extension StoreTransaction {
    /// Queues messages to be published once this transaction commits. Also notifies
    /// ``Store/outboxChannel`` (PostgreSQL delivers it at commit), so a waiting relay sends them at
    /// once instead of at its next poll.
    ///
    /// - Throws: ``StoreError/duplicate(constraint:message:)`` when a message id is already queued.
    public func enqueueOutbox(_ messages: [OutboxMessage]) async throws {
        for chunk in BatchInsert.chunks(messages) {
            var insert = BatchInsert(casts: ["", "", "", "", "", "::jsonb", "", ""])
            for message in chunk {
                let headers = try Self.encodeHeaders(message.headers)
                try insert.addRow { binds in
                    binds.append(message.exchange)
                    binds.append(message.routingKey)
                    binds.append(message.messageType)
                    binds.append(message.messageID)
                    binds.append(message.correlationID)
                    binds.append(headers)
                    try binds.append(message.body)
                    binds.append(outboxSender)
                }
            }
            try await run(insert.query(
                """
                WITH inserted AS (
                    INSERT INTO outbox (exchange, routing_key, message_type, message_id, correlation_id, headers, body, sender)
                """,
                """
                    RETURNING 1
                )
                SELECT pg_notify('\(Store.outboxChannel)', '') WHERE EXISTS (SELECT 1 FROM inserted)
                """))
        }
    }

    /// Claims up to `limit` unsent messages, oldest first, locking them until this transaction
    /// ends. `SKIP LOCKED` makes concurrent relays take disjoint sets instead of waiting for (or
    /// sending) each other's rows. Publish them, then ``markSent(_:)`` in the same transaction.
    /// With an ``Store/outboxSender`` only that service's rows are claimed (and rows written
    /// before senders were recorded).
    public func unsentOutbox(limit: Int) async throws -> [OutboxRecord] {
        let query: PostgresQuery = if let outboxSender {
            """
            SELECT id, exchange, routing_key, message_type, message_id, correlation_id, headers, body, created_at
            FROM outbox WHERE sent_at IS NULL AND (sender = \(outboxSender) OR sender IS NULL) ORDER BY id LIMIT \(limit)
            FOR UPDATE SKIP LOCKED
            """
        } else {
            """
            SELECT id, exchange, routing_key, message_type, message_id, correlation_id, headers, body, created_at
            FROM outbox WHERE sent_at IS NULL ORDER BY id LIMIT \(limit)
            FOR UPDATE SKIP LOCKED
            """
        }
        return try await run(query).map { row in
            let (id, exchange, routingKey, type, messageID, correlationID, headers, body, createdAt) =
                try row.decode((Int64, String, String, String, UUID, String?, String, Data, Date).self)
            let message = OutboxMessage(
                exchange: exchange, routingKey: routingKey, messageType: type, messageID: messageID,
                correlationID: correlationID, headers: try Self.decodeHeaders(headers), body: body)
            return OutboxRecord(id: id, message: message, createdAt: createdAt)
        }
    }

    /// Marks outbox rows as sent.
    public func markSent(_ ids: [Int64]) async throws {
        guard !ids.isEmpty else { return }
        try await run("UPDATE outbox SET sent_at = now() WHERE id = ANY(\(ids)) AND sent_at IS NULL")
    }

    static func encodeHeaders(_ headers: [String: String]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(headers), as: UTF8.self)
    }

    static func decodeHeaders(_ json: String) throws -> [String: String] {
        do {
            return try JSONDecoder().decode([String: String].self, from: Data(json.utf8))
        } catch {
            throw StoreError.database(code: nil, message: "outbox headers are not a map of strings")
        }
    }
}

extension Store {
    /// The PostgreSQL notification channel a commit that queued outbox messages signals.
    public static let outboxChannel = "n0core_outbox"

    /// See ``StoreTransaction/enqueueOutbox(_:)``; in a transaction of its own.
    public func enqueueOutbox(_ messages: [OutboxMessage]) async throws {
        guard !messages.isEmpty else { return }
        try await withTransaction { tx in try await tx.enqueueOutbox(messages) }
    }

    /// One relay step: claims up to `limit` unsent messages, hands them to `publish`, and marks
    /// them sent when `publish` returns, all in one transaction. If `publish` throws, nothing is
    /// marked and the rows are offered again later. Delivery is therefore at least once (a crash
    /// after publishing but before commit resends); consumers deduplicate on the message id with
    /// ``StoreTransaction/markProcessed(consumer:messageID:)``.
    ///
    /// - Returns: how many messages were sent (fewer than `limit` means the outbox is drained).
    @discardableResult
    public func relayOutbox(
        limit: Int = 100,
        isolation: isolated (any Actor)? = #isolation,
        publish: ([OutboxRecord]) async throws -> Void
    ) async throws -> Int {
        try await withTransaction { tx in
            let records = try await tx.unsentOutbox(limit: limit)
            guard !records.isEmpty else { return 0 }
            try await publish(records)
            try await tx.markSent(records.map(\.id))
            return records.count
        }
    }

    /// Turns each notification on ``outboxChannel`` into a wake-up of a relay (see
    /// ``listen(on:retryAfter:connected:notified:)``). Returns when the task is cancelled.
    public func listenForOutbox(wake: AsyncStream<Void>.Continuation, retryAfter: Duration) async {
        await listen(on: Self.outboxChannel, retryAfter: retryAfter, connected: { wake.yield() }, notified: { _ in wake.yield() })
    }
}
