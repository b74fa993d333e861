import Foundation
import Messages
import Store
import TestSupport
import Testing

@testable import Scheduler

/// The registry rows kept between specs: served until they are `maxAge` old, never the only
/// ground for a decision. A plan on kept rows is checked under the agents' locks (dead or
/// draining since: placed again on fresh rows), and a spec that does not fit on kept rows is
/// placed again on fresh ones before it waits.
@Suite("Registry cache (PostgreSQL)", .enabled(if: IntegrationEnvironment.hasDatabase))
struct RegistryCacheTests {
    static let compute = [ObjectType.agentComputeKVM.rawValue]

    @Test func keptRowsAreServedUntilForgottenAndTheAgentsASpecIsOnAreAlwaysRead() async throws {
        _ = try IntegrationEnvironment.requireDatabase()
        try await IntegrationEnvironment.withIsolatedStore { store in
            let first = Fixtures.compute(ObjectID()), second = Fixtures.compute(ObjectID())
            try await SchedulerHarness(store: store, agents: [first]).register()
            let query = StoreTransaction.AgentQuery(types: Self.compute, only: [first.id.uuid, second.id.uuid],
                                                    aliveWithinSeconds: 3600)
            let cache = RegistryCache(maxAge: .seconds(3600)), uncached = RegistryCache(maxAge: .zero)
            func read(_ cache: RegistryCache, including: [ObjectID] = []) async throws -> Set<UUID> {
                var query = query
                query.including = including.map(\.uuid)
                return Set(try await store.withTransaction { tx in try await cache.registrations(query, in: tx) }.rows.map(\.node.id))
            }
            #expect(try await read(cache) == [first.id.uuid])
            let (keptRead, uncachedRead) = try await store.withTransaction { tx in
                (try await cache.registrations(query, in: tx).kept, try await uncached.registrations(query, in: tx).kept)
            }
            #expect(keptRead && !uncachedRead)
            try await SchedulerHarness(store: store, agents: [second]).register()
            // Kept: the agent registered since is not seen, unless a spec's object is on it.
            #expect(try await read(cache) == [first.id.uuid])
            #expect(try await read(cache, including: [second.id]) == [first.id.uuid, second.id.uuid])
            // Without keeping, and once forgotten, every read sees it.
            #expect(try await read(uncached) == [first.id.uuid, second.id.uuid])
            cache.forget()
            #expect(try await read(cache) == [first.id.uuid, second.id.uuid])
            try await SchedulerHarness(store: store, agents: [first, second]).register(state: "dead")
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
