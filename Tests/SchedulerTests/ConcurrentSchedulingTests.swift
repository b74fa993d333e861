import Broker
import Foundation
import Messages
import Scheduler
import Store
import TestSupport
import Testing

/// Two scheduler replicas competing for little capacity: claims never exceed what an agent
/// offers, and every spec is placed or, with no room left, waits with a reason (it would fit an
/// empty host, so it is kept to be placed when room frees).
@Suite("Scheduler replicas under load", .enabled(if: IntegrationEnvironment.hasBrokerAndDatabase))
struct ConcurrentSchedulingTests {
    static let specs = 200

    /// A VM with a volume attached: 1 to 3 vcpus, 1 to 4gb memory, 5gb disk.
    static func document(_ index: Int) throws -> SpecDocument {
        try Fixtures.vmWithVolumeDocument(vcpus: 1 + index % 3, memoryGB: 1 + index % 4)
    }

    @Test func twoReplicasNeverOvercommitAndPlaceOrHoldEverySpec() async throws {
        _ = try IntegrationEnvironment.requireBroker()
        _ = try IntegrationEnvironment.requireDatabase()
        try await IntegrationEnvironment.withIsolatedStore { store in
            // Room for a few dozen specs: compute runs out first on one host, disk on the other.
            let (a, b) = (ObjectID(), ObjectID())
            let agents = [
                Fixtures.compute(a, vcpus: 30, memoryGB: 60), Fixtures.volumer(a, diskGB: 500),
                Fixtures.compute(b, vcpus: 40, memoryGB: 80), Fixtures.volumer(b, diskGB: 60),
            ]
            let harness = SchedulerHarness(store: store, agents: agents)
            try await harness.register()
            var stored: [SpecMessage] = []
            for index in 0..<Self.specs { stored.append(try await harness.storeSpec(try Self.document(index))) }
            let specs = stored
            let ids = Set(specs.map(\.id))

            let received = try await harness.run(replicas: 2, concurrency: 3) { publisher, inbox in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for chunk in stride(from: 0, to: specs.count, by: 20).map({ Array(specs[$0..<min($0 + 20, specs.count)]) }) {
                        group.addTask {
                            for spec in chunk { try await publisher.publish(harness.outgoing(spec), timeout: .seconds(10)) }
                        }
                    }
                    try await group.waitForAll()
                }
                // Done when every spec has either had both its requests sent or waits for room.
                try await waitUntil("every spec placed or waiting", within: .seconds(90)) {
                    let placed = Dictionary(grouping: inbox.all.filter { ids.contains($0.request.specID) }, by: \.request.specID)
                        .filter { $0.value.count >= 2 }.count
                    let waiting = try await IntegrationEnvironment.count("deferred_specs", in: store)
                    return placed + waiting >= Self.specs
                }
                try await Task.sleep(for: .milliseconds(500))
                return inbox.all.filter { ids.contains($0.request.specID) }
            }

            let requestsBySpec = Dictionary(grouping: received, by: \.request.specID)
            var placedDemand = Resources.zero
            var placedCount = 0
            for spec in specs {
                let version = try #require(try await store.specVersion(spec.id, version: 0))
                let events = try await store.events(specID: spec.id)
                let requests = requestsBySpec[spec.id] ?? []
                if requests.isEmpty {
                    #expect(version.state == .pending, "spec \(spec.id) waits, it has not failed")
                    let waits = events.filter { $0.kind == .waiting }
                    #expect(Set(waits.compactMap(\.objectID)) == Set(spec.spec.compactMap(\.id?.uuid)), "spec \(spec.id): each object says why it waits")
                    #expect(waits.allSatisfy { $0.message.hasPrefix("waiting for room: ") }, "spec \(spec.id): \(waits.map(\.message))")
                } else {
                    placedCount += 1
                    #expect(requests.count == 2, "spec \(spec.id): one request per object, none twice")
                    #expect(Set(requests.compactMap(\.request.object.id)) == Set(spec.spec.compactMap(\.id)))
                    #expect(events.filter { $0.kind == .scheduled }.count == 2)
                    for object in spec.spec { placedDemand += object.demand }
                    // VM and volume share a host.
                    let hosts = Set(requests.compactMap { $0.request.object.scheduledAgent?.hostID })
                    #expect(hosts.count == 1)
                }
            }
            #expect(placedCount > 0 && placedCount < Self.specs, "capacity is limited: some specs place, some wait")

            let totals = try await store.withTransaction { tx in try await tx.claimTotals(agentIDs: agents.map(\.id.uuid)) }
            var claimed = Resources.zero
            for agent in agents {
                let total = totals[agent.id.uuid] ?? ClaimTotals()
                let load = Resources(vcpus: total.vcpus, memoryBytes: total.memoryBytes, diskBytes: total.diskBytes)
                #expect(load.fits(in: agent.capacity), "agent \(agent.id) holds \(load.description) of \(agent.capacity.description)")
                claimed += load
            }
            #expect(claimed == placedDemand, "claims are exactly the placed specs' demand")
        }
    }
}
