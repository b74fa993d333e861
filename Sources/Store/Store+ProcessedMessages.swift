import Foundation
import PostgresNIO

extension StoreTransaction {
    /// Records that `consumer` has processed the message `messageID`, and says whether this is the
    /// first time. Messages are delivered at least once; calling this in the same transaction as the
    /// message's effect, and skipping the effect when it returns false, makes a redelivery harmless.
    ///
    /// - Returns: true the first time for this consumer and message, false afterwards.
    public func markProcessed(consumer: String, messageID: UUID) async throws -> Bool {
        try await !run("""
            INSERT INTO processed_messages (consumer, message_id) VALUES (\(consumer), \(messageID))
            ON CONFLICT DO NOTHING
            RETURNING 1
            """).isEmpty
    }
}

extension Store {
    /// See ``StoreTransaction/markProcessed(consumer:messageID:)``. On its own (outside the effect's
    /// transaction) it only suits effects that are idempotent anyway.
    public func markProcessed(consumer: String, messageID: UUID) async throws -> Bool {
        try await withConnection { tx in try await tx.markProcessed(consumer: consumer, messageID: messageID) }
    }
}
