import Foundation
import Logging
import Messages
import Store
import TestSupport
import Testing

@testable import Scheduler

/// Specs scheduled as a batch in one transaction: each placement counts the claims of those
/// before it, and one that cannot be scheduled fails alone.
@Suite("Scheduling a batch", .enabled(if: IntegrationEnvironment.hasDatabase))
struct BatchSchedulingTests {
    @Test(arguments: [false, true])
    func eachSpecSeesTheClaimsBeforeItAndABadOneFailsAlone(withABadOne: Bool) async throws {
        try await IntegrationEnvironment.withIsolatedStore { store in
            // Room for two specs of 2 vcpus each.
            let host = ObjectID()
            let compute = Fixtures.compute(host, vcpus: 4, memoryGB: 8)
            let agents = [compute, Fixtures.volumer(host, diskGB: 100)]
            let harness = SchedulerHarness(store: store, agents: agents)
            try await harness.register()
            var specs: [SpecMessage] = []
            for _ in 0..<3 { specs.append(try await harness.storeSpec(try Fixtures.vmWithVolumeDocument(vcpus: 2, memoryGB: 2))) }
            var unknown = specs[0]
            unknown.id = 987_654_321
            let scheduler = SpecScheduler(
                store: store, settings: SchedulerSettings(agentTimeoutSeconds: 3600, onlyAgents: Set(agents.map(\.id))),
                logger: harness.logger)

            let batch = withABadOne ? [specs[2], unknown, specs[0], specs[1]] : [specs[2], specs[0], specs[1]]
            let results = await scheduler.schedule(batch.map { SpecScheduler.Item(message: $0, messageID: UUID(), trace: nil) })
            var outcomes: [Int64: Result<SpecScheduler.Outcome, any Error>] = [:]
            for (spec, result) in zip(batch, results) { outcomes[spec.id] = result }

            // In spec order: the first two stored fit, the third waits for room.
            #expect((try? outcomes[specs[0].id]?.get()) == .scheduled(version: 0, requests: 2))
            #expect((try? outcomes[specs[1].id]?.get()) == .scheduled(version: 0, requests: 2))
            guard case .waiting = try? outcomes[specs[2].id]?.get() else {
                Issue.record("the third spec should wait for room: \(String(describing: outcomes[specs[2].id]))")
                return
            }
            if withABadOne {
                #expect(throws: SpecRejection.self) { try outcomes[unknown.id]?.get() }
            }
            let claimed = try await store.withTransaction { tx in try await tx.claimTotals(agentIDs: [compute.id.uuid]) }
            #expect(claimed[compute.id.uuid]?.vcpus == 4, "\(claimed)")
        }
    }
}
