import Foundation
import PostgresNIO
import Store
import TestSupport
import Testing

/// The relay tests run in schemas of their own: a relay takes every unsent row in its tables, and
/// must not take the rows other suites are looking at.
@Suite("Outbox", .enabled(if: IntegrationEnvironment.hasDatabase))
struct OutboxTests {
    static func messages(_ count: Int) -> [OutboxMessage] {
        (0..<count).map { n in
            OutboxMessage(
                exchange: "n0core", routingKey: "scheduler", messageType: "Spec",
                correlationID: "\(n)", headers: ["n": "\(n)"], body: Data("{\"n\": \(n)}".utf8))
        }
    }

    static func unsentCount(_ store: Store) async throws -> Int {
        try await store.client.query("SELECT count(*) FROM outbox WHERE sent_at IS NULL").collect()[0]
            .decode(Int.self)
    }

    @Test func twoConcurrentRelaysSendEveryRowExactlyOnce() async throws {
        try await IntegrationEnvironment.withIsolatedStore(maximumConnections: 8) { store in
            let queued = Self.messages(60)
            try await store.enqueueOutbox(Array(queued[..<30]))
            try await store.enqueueOutbox(Array(queued[30...]))
            let published = Collector<UUID>()

            @Sendable func relay() async throws -> Int {
                var rounds = 0
                while try await store.relayOutbox(limit: 7, publish: { records in
                    try await Task.sleep(for: .milliseconds(5))  // overlap the two relays
                    await published.append(contentsOf: records.map(\.message.messageID))
                }) > 0 {
                    rounds += 1
                }
                return rounds
            }
            async let first = relay()
            async let second = relay()
            let (a, b) = try await (first, second)

            let ids = await published.values
            #expect(ids.count == queued.count)
            #expect(Set(ids) == Set(queued.map(\.messageID)))
            #expect(a + b >= 9)
            #expect(try await Self.unsentCount(store) == 0)
        }
    }

    /// Each service relays only the rows it wrote: the API's relay never sends the scheduler's
    /// Requests (its broker user may not publish them), and a relay without a sender takes all.
    @Test func eachServiceRelaysOnlyItsOwnRows() async throws {
        try await IntegrationEnvironment.withIsolatedStore(maximumConnections: 8) { store in
            let api = Store(client: store.client, outboxSender: "n0core-api")
            let scheduler = Store(client: store.client, outboxSender: "n0core-scheduler")
            let apiMessages = Self.messages(3)
            let schedulerMessages = Self.messages(2)
            try await api.enqueueOutbox(apiMessages)
            try await scheduler.enqueueOutbox(schedulerMessages)

            let sentByAPI = Collector<UUID>()
            #expect(try await api.relayOutbox { await sentByAPI.append(contentsOf: $0.map(\.message.messageID)) } == 3)
            #expect(Set(await sentByAPI.values) == Set(apiMessages.map(\.messageID)))
            #expect(try await api.relayOutbox { _ in Issue.record("the scheduler's rows are not the API's") } == 0)

            let sentByScheduler = Collector<UUID>()
            #expect(try await scheduler.relayOutbox { await sentByScheduler.append(contentsOf: $0.map(\.message.messageID)) } == 2)
            #expect(Set(await sentByScheduler.values) == Set(schedulerMessages.map(\.messageID)))
            #expect(try await Self.unsentCount(store) == 0)
        }
    }

    @Test func relayedRecordsCarryTheMessage() async throws {
        try await IntegrationEnvironment.withIsolatedStore(maximumConnections: 8) { store in
            let message = Self.messages(1)[0]
            try await store.enqueueOutbox([message])
            let seen = Collector<OutboxRecord>()
            let count = try await store.relayOutbox { records in await seen.append(contentsOf: records) }
            #expect(count == 1)
            #expect(await seen.values.map(\.message) == [message])
            #expect(try await store.relayOutbox { _ in Issue.record("nothing is left to send") } == 0)
        }
    }

    @Test func aFailedPublishLeavesRowsUnsent() async throws {
        struct BrokerDown: Error {}
        try await IntegrationEnvironment.withIsolatedStore(maximumConnections: 8) { store in
            try await store.enqueueOutbox(Self.messages(3))
            await #expect(throws: BrokerDown.self) {
                try await store.relayOutbox { _ in throw BrokerDown() }
            }
            #expect(try await Self.unsentCount(store) == 3)
            #expect(try await store.relayOutbox { _ in } == 3)
            #expect(try await Self.unsentCount(store) == 0)
        }
    }

    @Test func aMessageIDIsQueuedOnce() async throws {
        try await IntegrationEnvironment.withStore(maximumConnections: 8) { store in
            let message = Self.messages(1)[0]
            try await store.enqueueOutbox([message])
            await #expect {
                try await store.enqueueOutbox([message])
            } throws: { error in
                if case .duplicate(constraint: "outbox_message_id_key", _) = error as? StoreError { true } else { false }
            }
        }
    }
}

@Suite("Processed messages", .enabled(if: IntegrationEnvironment.hasDatabase))
struct ProcessedMessagesTests {
    @Test func trueTheFirstTimeThenFalse() async throws {
        try await IntegrationEnvironment.withStore(maximumConnections: 8) { store in
            let id = UUID()
            let first = try await store.markProcessed(consumer: "conductor", messageID: id)
            let again = try await store.markProcessed(consumer: "conductor", messageID: id)
            // Each consumer keeps its own record.
            let otherConsumer = try await store.markProcessed(consumer: "scheduler", messageID: id)
            #expect(first)
            #expect(!again)
            #expect(otherConsumer)
        }
    }

    @Test func rolledBackWithTheEffect() async throws {
        struct EffectFailed: Error {}
        try await IntegrationEnvironment.withStore(maximumConnections: 8) { store in
            let id = UUID()
            await #expect(throws: EffectFailed.self) {
                try await store.withTransaction { tx in
                    #expect(try await tx.markProcessed(consumer: "conductor", messageID: id))
                    throw EffectFailed()
                }
            }
            // The effect did not commit, so the redelivery must be processed.
            let redelivered = try await store.markProcessed(consumer: "conductor", messageID: id)
            #expect(redelivered)
        }
    }
}
