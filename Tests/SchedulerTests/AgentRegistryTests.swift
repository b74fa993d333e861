import Foundation
import Messages
import Scheduler
import Store
import TestSupport
import Testing

/// The registry query: an agent is alive while its state is `alived` and its heartbeats (node
/// updates) are recent, by the database's clock.
@Suite("Agent registry (PostgreSQL)", .enabled(if: IntegrationEnvironment.hasDatabase))
struct AgentRegistryTests {
    @Test func agentsAreAliveWhileTheirHeartbeatsArriveAndTheirStateIsAlived() async throws {
        _ = try IntegrationEnvironment.requireDatabase()
        try await IntegrationEnvironment.withIsolatedStore { store in
            let host = ObjectID()
            let alive = Fixtures.compute(host), dead = Fixtures.compute(host), porter = Fixtures.porter(host)
            let harness = SchedulerHarness(store: store, agents: [alive, dead, porter])
            try await harness.register()
            try await SchedulerHarness(store: store, agents: [dead]).register(state: "dead")
            func query(seconds: Int, including: [ObjectID] = []) async throws -> [AgentRegistration] {
                try await store.withTransaction { tx in
                    try await tx.agents(StoreTransaction.AgentQuery(
                        types: [ObjectType.agentComputeKVM.rawValue], hostID: host.description,
                        including: including.map(\.uuid), aliveWithinSeconds: seconds))
                }
            }
            // Only the alive compute agent of the host: not the dead one, not the porter.
            #expect(try await query(seconds: 30).map(\.node.id) == [alive.id.uuid])
            // An agent an object is on comes along whatever its state, marked as it is.
            let withDead = try await query(seconds: 30, including: [dead.id])
            #expect(Set(withDead.map(\.node.id)) == [alive.id.uuid, dead.id.uuid])
            #expect(withDead.first { $0.node.id == dead.id.uuid }?.alive == false)
            // Silent for longer than the timeout: no longer alive.
            try await Task.sleep(for: .milliseconds(1100))
            #expect(try await query(seconds: 1).isEmpty)
            try await harness.register(state: "dead")
        }
    }
}
