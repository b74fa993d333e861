import Foundation
import Messages
import Store
import TestSupport
import Testing

@testable import Scheduler

/// The candidate agents kept between specs: served until they are `maxAge` old, with the
/// claim totals read for each spec, never the only ground for a decision. A plan on kept agents
/// is checked under the agents' locks (dead or draining since: placed again on fresh ones), and
/// a spec that does not fit on kept agents is placed again on fresh ones before it waits.
@Suite("Registry cache (PostgreSQL)", .enabled(if: IntegrationEnvironment.hasDatabase))
struct RegistryCacheTests {
    @Test func keptAgentsAreServedUntilForgottenWithTheirClaimsAsTheyAreNow() async throws {
        _ = try IntegrationEnvironment.requireDatabase()
        try await IntegrationEnvironment.withIsolatedStore { store in
            let first = Fixtures.compute(ObjectID()), second = Fixtures.compute(ObjectID())
            let harness = SchedulerHarness(store: store, agents: [first, second])
            try await SchedulerHarness(store: store, agents: [first]).register()
            func scheduler(keeping maxAge: Duration) -> SpecScheduler {
                SpecScheduler(store: store, settings: SchedulerSettings(
                    agentTimeoutSeconds: 3600, onlyAgents: [first.id, second.id], registryMaxAge: maxAge), logger: harness.logger)
            }
            let keeping = scheduler(keeping: .seconds(3600)), reading = scheduler(keeping: .zero)
            let query = StoreTransaction.AgentQuery(types: [ObjectType.agentComputeKVM.rawValue],
                                                    only: [first.id.uuid, second.id.uuid], aliveWithinSeconds: 3600)
            func read(_ scheduler: SpecScheduler, including: [ObjectID] = []) async throws -> (agents: Set<UUID>, kept: Bool, firstVCPUs: Int?) {
                var query = query
                query.including = including.map(\.uuid)
                let (snapshot, kept) = try await store.withTransaction { tx in
                    try await scheduler.candidates(tx, query, lock: false, cached: true)
                }
                return (Set(snapshot.agents.keys.map(\.uuid)), kept, snapshot.agents[first.id]?.claimed.vcpus)
            }
            let initial = try await read(keeping)
            #expect(initial.agents == [first.id.uuid] && !initial.kept && initial.firstVCPUs == 0)
            try await harness.register()
            try await store.withTransaction { tx in
                try await tx.upsertClaims([Claim(objectID: UUID(), agentID: first.id.uuid, specID: nil, vcpus: 2)])
            }
            // Kept: the agent registered since is not seen unless a spec's object is on it; the
            // claims are as they are now.
            let kept = try await read(keeping)
            #expect(kept.agents == [first.id.uuid] && kept.kept && kept.firstVCPUs == 2)
            #expect(try await read(keeping, including: [second.id]).agents == [first.id.uuid, second.id.uuid])
            // Without keeping, and once forgotten, every read sees it.
            let uncached = try await read(reading)
            #expect(uncached.agents == [first.id.uuid, second.id.uuid] && !uncached.kept)
            keeping.registry.forget()
            #expect(try await read(keeping).agents == [first.id.uuid, second.id.uuid])
            try await harness.register(state: "dead")
        }
    }

    /// Host X's agents are kept; then X drains, or fills up, and host Y registers: the next spec
    /// goes to Y, not to the draining host and not to a wait.
    @Test(arguments: [false, true])
    func aSpecIsPlacedOnFreshRowsWhenTheKeptOnesNoLongerHold(draining: Bool) async throws {
        _ = try IntegrationEnvironment.requireDatabase()
        try await IntegrationEnvironment.withIsolatedStore { store in
            let x = ObjectID(), y = ObjectID()
            // Room for one spec's VM on X when it fills up; for many when it drains.
            let onX = [Fixtures.compute(x, vcpus: draining ? 16 : 2), Fixtures.volumer(x)]
            let onY = [Fixtures.compute(y), Fixtures.volumer(y)]
            let harness = SchedulerHarness(store: store, agents: onX + onY)
            try await SchedulerHarness(store: store, agents: onX).register()
            let scheduler = SpecScheduler(
                store: store,
                settings: SchedulerSettings(agentTimeoutSeconds: 3600, onlyAgents: Set((onX + onY).map(\.id)),
                                            registryMaxAge: .seconds(3600)),
                logger: harness.logger)
            func schedule() async throws -> (SpecScheduler.Outcome, Set<UUID>) {
                let spec = try await harness.storeSpec(try Fixtures.vmWithVolumeDocument(vcpus: 2, memoryGB: 2))
                let outcome = try await scheduler.schedule(SpecScheduler.Item(message: spec, messageID: UUID(), trace: nil))
                let claims = try await store.withTransaction { tx in try await tx.claims(objectIDs: spec.spec.compactMap(\.id?.uuid)) }
                return (outcome, Set(claims.map(\.agentID)))
            }
            let (placed, agents) = try await schedule()
            #expect(placed == .scheduled(version: 0, requests: 2))
            #expect(agents == Set(onX.map(\.id.uuid)))

            try await SchedulerHarness(store: store, agents: onY).register()
            if draining { try await store.drain(hostID: x.uuid, reason: "test") }
            let (next, nextAgents) = try await schedule()
            #expect(next == .scheduled(version: 0, requests: 2))
            #expect(nextAgents == Set(onY.map(\.id.uuid)))
            try await harness.register(state: "dead")
        }
    }
}
