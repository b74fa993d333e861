import API
import Broker
import Clients
import Foundation
import Logging
import Messages
import Scheduler
import Store
import TestSupport
import Testing

/// The seed's spec through a real scheduler: RabbitMQ, PostgreSQL, agents on two hosts, one of
/// them the host the seed pins.
@Suite("Scheduler integration (RabbitMQ and PostgreSQL)", .enabled(if: IntegrationEnvironment.hasBrokerAndDatabase))
struct SchedulerIntegrationTests {
    static let seedHost = ObjectID("85cf3a3a-18e4-4fe2-b406-9e79079cae07")!
    // Seed 5.1's agents and host, which the expected requests name.
    static let seedCompute = ObjectID("2463f81d-20d8-4395-a3c4-84a271a5b3a7")!
    static let seedVolumer = ObjectID("264b01b8-aeb5-478a-ad11-715fbc86d2f6")!
    static let seedPorter = ObjectID("a0c819fa-9dc2-4666-b7fd-d235a2551119")!
    static let seedRequestHost = ObjectID("8bce7696-f641-411c-a0ce-6ed066d912a3")!

    /// Agents of each kind on the seed's host and on a host of this run's own.
    static func twoHosts() -> [RegisteredAgent] {
        Fixtures.host(seedHost, vcpus: 8, memoryGB: 32, diskGB: 100) + Fixtures.host(ObjectID(), vcpus: 64, memoryGB: 256, diskGB: 1000)
    }

    static func seedDocument(hostID: String? = nil) throws -> SpecDocument {
        var text = SeedDocuments.submittedSpec
        if let hostID { text = text.replacingOccurrences(of: seedHost.description, with: hostID) }
        return try MessageCodec.decode(SpecDocument.self, from: text, format: .yaml)
    }

    @Test func seedSpecSendsFourRequestsInTheSeedsShapeToThePinnedHostsAgents() async throws {
        _ = try IntegrationEnvironment.requireBroker()
        _ = try IntegrationEnvironment.requireDatabase()
        try await IntegrationEnvironment.withIsolatedStore { store in
            let agents = Self.twoHosts()
            let (compute, volumer, porter) = (agents[0], agents[1], agents[2])
            let harness = SchedulerHarness(store: store, agents: agents)
            try await harness.register()
            let spec = try await harness.storeSpec(try Self.seedDocument())
            let received = try await harness.run { publisher, inbox in
                let message = harness.outgoing(spec)
                try await publisher.publish(message, timeout: .seconds(10))
                // The same message again, as a redelivery would bring it: no second effect.
                try await publisher.publish(message, timeout: .seconds(10))
                try await waitUntil("four requests", within: .seconds(30)) { inbox.requests(specID: spec.id).count >= 4 }
                try await Task.sleep(for: .milliseconds(500))
                return inbox.requests(specID: spec.id)
            }
            #expect(received.count == 4, "exactly one request per object, none twice")

            let byType = Dictionary(spec.spec.map { ($0.type!, $0) }, uniquingKeysWith: { a, _ in a })
            let (vm, volume, nic, network) = (byType[.vmKVM]!, byType[.volumeFile]!, byType[.nic]!, byType[.networkVLAN]!)
            func request(_ object: Object) throws -> SchedulerHarness.Received {
                try #require(received.first { $0.request.object.id == object.id })
            }
            #expect(try request(vm).queue == AgentClient.queue(compute.id))
            #expect(try request(volume).queue == AgentClient.queue(volumer.id))
            #expect(try request(nic).queue == AgentClient.queue(porter.id))
            #expect(try request(network).queue == AgentClient.queue(porter.id))

            // The NIC got a guest MAC, carried in its own request, in the VM's, and in the graph.
            let mac = try #require(try request(nic).request.object.hwAddr)
            #expect(mac.hasPrefix("52:54:00:") && mac.count == 17)
            let nicNode = try #require(try await store.node(nic.id!.uuid))
            #expect(try MessageCodec.decode(Object.self, from: nicNode.object, format: .json).hwAddr == mac)

            // Seed 5.1, with the ids of this run: the seed's objects are ours by type, its agents
            // and host are ours on the seed's pinned host; the MAC is the one assigned.
            var ids: [ObjectID: ObjectID] = [
                Self.seedCompute: compute.id, Self.seedVolumer: volumer.id, Self.seedPorter: porter.id,
                Self.seedRequestHost: Self.seedHost,
            ]
            for seedObject in try Fixtures.seedSpec().spec { ids[seedObject.id!] = byType[seedObject.type!]!.id! }
            let expectations: [(Object, String, [Object])] = [
                (vm, SeedDocuments.requestVM, []),
                (volume, SeedDocuments.requestVolume, [Object(type: .vmKVM, id: vm.id, dependencies: [.scheduled(on: compute.object)])]),
                (nic, SeedDocuments.requestNIC, [Object(type: .vmKVM, id: vm.id, dependencies: [.scheduled(on: compute.object)])]),
                (network, SeedDocuments.requestNetwork, [Object(type: .nic, id: nic.id, dependencies: [.scheduled(on: porter.object)])]),
            ]
            for (object, yaml, dependents) in expectations {
                let seed = try MessageCodec.decode(RequestMessage.self, from: yaml, format: .yaml)
                let expected = seed.object.mapObjects { object in
                    var object = object
                    object.id = object.id.map { ids[$0] ?? $0 }
                    object.hostID = object.hostID.map { ids[$0] ?? $0 }
                    if object.hwAddr != nil { object.hwAddr = mac }
                    object.bridge = nil
                    return object
                }
                let actual = try request(object).request
                #expect(actual.specID == spec.id)
                #expect(actual.object == expected, "\(object.type!.rawValue)")
                #expect(actual.dependedBy == dependents, "\(object.type!.rawValue)")
            }

            // SCHEDULED for each object, scheduled edges, claims on the pinned host's agents.
            let events = try await store.events(specID: spec.id).filter { $0.kind == .scheduled }
            #expect(Set(events.compactMap(\.objectID)) == Set(spec.spec.map { $0.id!.uuid }))
            #expect(events.first { $0.objectID == vm.id!.uuid }?.message == "scheduled on agent/compute/kvm \(compute.id) on host \(Self.seedHost)")
            let edges = try await store.graph(specID: spec.id).edges.filter { $0.relation == Relation.scheduled }
            #expect(Set(edges.map { "\($0.source)>\($0.target)" }) == Set([
                (vm, compute), (volume, volumer), (nic, porter), (network, porter),
            ].map { "\($0.0.id!.uuid)>\($0.1.id.uuid)" }))
            let totals = try await store.withTransaction { tx in try await tx.claimTotals(agentIDs: agents.map(\.id.uuid)) }
            #expect(totals[compute.id.uuid] == ClaimTotals(vcpus: 2, memoryBytes: 4 << 30, diskBytes: 0, count: 1))
            #expect(totals[volumer.id.uuid] == ClaimTotals(vcpus: 0, memoryBytes: 0, diskBytes: 10 << 30, count: 1))
            #expect(totals[porter.id.uuid] == nil)
        }
    }

    @Test func seedSpecPinnedToAHostWithoutAgentsFailsWithTheReason() async throws {
        _ = try IntegrationEnvironment.requireBroker()
        _ = try IntegrationEnvironment.requireDatabase()
        try await IntegrationEnvironment.withIsolatedStore { store in
            let nowhere = ObjectID()
            let harness = SchedulerHarness(store: store, agents: Self.twoHosts())
            try await harness.register()
            let spec = try await harness.storeSpec(try Self.seedDocument(hostID: nowhere.description))
            let received = try await harness.run { publisher, inbox in
                try await publisher.publish(harness.outgoing(spec), timeout: .seconds(10))
                try await waitUntil("the spec to fail", within: .seconds(30)) { try await store.spec(spec.id)?.state == .failed }
                try await Task.sleep(for: .milliseconds(300))
                return inbox.requests(specID: spec.id)
            }
            #expect(received.isEmpty, "no request is sent for a spec that cannot be placed")

            let reason = "no alive agent/compute/kvm with 2 vcpus and 4gb memory free on host \(nowhere)"
            let version = try #require(try await store.specVersion(spec.id, version: 0))
            #expect(version.state == .failed)
            #expect(version.reason == "scheduling failed: \(reason)")
            let failed = try await store.events(specID: spec.id).filter { $0.kind == .failed }
            #expect(Set(failed.compactMap(\.objectID)) == Set(spec.spec.map { $0.id!.uuid }))
            let vm = try #require(spec.spec.first { $0.type == .vmKVM })
            #expect(failed.first { $0.objectID == vm.id!.uuid }?.message == reason)
            #expect(failed.filter { $0.objectID == nil }.map(\.message) == ["version 0 failed: scheduling failed: \(reason)"],
                    "the version's own event, as for failures the conductor decides")

            // What GET /api/spec/{id} shows.
            let status = try await SpecService(store: store, limits: SpecLimits(), logger: harness.logger).status(specID: spec.id)
            #expect(status.state == "failed")
            #expect(status.reason?.contains(reason) == true)
            #expect(status.events.contains { $0.kind == "FAILED" && $0.message.contains(reason) })
            #expect(status.objects.count == 4)
            #expect(status.objects.allSatisfy { $0.progress == "FAILED" && $0.message?.contains(reason) == true })
            let totals = try await store.withTransaction { tx in try await tx.claimTotals(agentIDs: harness.agents.map(\.id.uuid)) }
            #expect(totals.isEmpty, "nothing is claimed")
        }
    }
}
