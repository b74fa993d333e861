import Foundation
import PostgresNIO
import Store
import TestSupport
import Testing

/// What the store keeps only for a while goes once it is older than its period, and nothing
/// else: unsent outbox rows, pending versions and every spec's latest version stay.
@Suite("Retention", .enabled(if: IntegrationEnvironment.hasDatabase))
struct RetentionTests {
    @Test func prunesWhatOutlivedItsPeriodAndKeepsTheRest() async throws {
        try await IntegrationEnvironment.withIsolatedStore(maximumConnections: 4) { store in
            let record = NewSpecVersion(submitted: "{}", resolved: "{}")
            let (specID, _) = try await store.createSpec(record)
            try await store.appendVersion(specID: specID, version: 1, record)
            try await store.setState(.applied, specID: specID, version: 0)
            let (pendingSpec, _) = try await store.createSpec(record)
            try await store.appendEvents([
                Event(specID: specID, version: 0, kind: .applied, message: "old, settled, not latest"),
                Event(specID: specID, version: 1, kind: .scheduled, message: "latest version"),
                Event(specID: pendingSpec, version: 0, kind: .scheduled, message: "pending"),
            ])
            let messages = (0..<3).map { n in
                OutboxMessage(exchange: "n0core", routingKey: "scheduler", messageType: "Spec", body: Data("{\"n\":\(n)}".utf8))
            }
            try await store.enqueueOutbox(messages)
            try await store.withTransaction { tx in
                try await tx.markSent([1, 2])
                _ = try await tx.markProcessed(consumer: "conductor", messageID: UUID())
                _ = try await tx.markProcessed(consumer: "conductor", messageID: UUID())
            }
            // Everything is a day old, one outbox row was sent only now, one is unsent.
            for statement: PostgresQuery in [
                "UPDATE events SET created_at = now() - interval '1 day'",
                "UPDATE outbox SET sent_at = now() - interval '1 day' WHERE id = 1",
                "UPDATE processed_messages SET processed_at = now() - interval '1 day'",
            ] {
                try await store.client.query(statement)
            }

            let periods = RetentionPeriods(sentOutbox: .seconds(3600), processedMessages: .seconds(3600), settledHistory: .seconds(3600))
            let report = try await store.prune(periods, batch: 1)
            #expect(report.outbox == 1)
            #expect(report.processedMessages == 2)
            #expect(report.events == 1)

            #expect(try await IntegrationEnvironment.count("outbox", in: store) == 2, "the recently sent and the unsent row stay")
            #expect(try await IntegrationEnvironment.count("outbox WHERE sent_at IS NULL", in: store) == 1)
            let events = try await store.events(specID: specID).map(\.message) + (try await store.events(specID: pendingSpec).map(\.message))
            #expect(events == ["latest version", "pending"])
            #expect(try await store.prune(periods) == PruneReport(), "a second pass finds nothing")
        }
    }
}
