import Foundation
import Store
import TestSupport
import Testing

extension OutboxTests {
    /// The backlog is the relay's own unsent rows and the age of the oldest, by the database's
    /// clock; sent rows and another service's rows are not in it.
    @Test func theBacklogIsTheUnsentRowsOfTheRelaysSenderAndTheOldestsAge() async throws {
        try await IntegrationEnvironment.withIsolatedStore(maximumConnections: 8) { store in
            let api = Store(client: store.client, outboxSender: "n0core-api")
            let scheduler = Store(client: store.client, outboxSender: "n0core-scheduler")
            #expect(try await api.outboxBacklog() == OutboxBacklog(pending: 0, oldestAge: .zero))

            try await api.enqueueOutbox(Self.messages(3))
            try await Task.sleep(for: .milliseconds(300))
            let schedulerEnqueued = ContinuousClock.now
            try await scheduler.enqueueOutbox(Self.messages(2))
            let waiting = try await api.outboxBacklog()
            #expect(waiting.pending == 3, "the scheduler's rows are its own relay's")
            #expect(waiting.oldestAge >= .milliseconds(300) && waiting.oldestAge < .seconds(30), "\(waiting.oldestAge)")
            // Its own rows are no older than the time since they were written, however slow this
            // run is; the API's, 300 ms older, would make it at least that plus 300 ms.
            let schedulerAge = try await scheduler.outboxBacklog().oldestAge
            #expect(schedulerAge < ContinuousClock.now - schedulerEnqueued + .milliseconds(200), "\(schedulerAge)")
            #expect(try await store.outboxBacklog().pending == 5, "a store without a sender relays every row")

            #expect(try await api.relayOutbox { _ in } == 3)
            #expect(try await api.outboxBacklog() == OutboxBacklog(pending: 0, oldestAge: .zero))
        }
    }
}
