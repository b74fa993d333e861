import Clients
import Foundation
import Messages
import Scheduler
import Store
import TestSupport
import Testing

/// A drain's move through a real scheduler (RabbitMQ and PostgreSQL): what a spec has on the
/// draining host is placed on another host, its volume as a copy of the old one, whose removal
/// waits; a spec whose volume cannot be copied stays, with PINNED events.
@Suite("Drain moves (RabbitMQ and PostgreSQL)", .enabled(if: IntegrationEnvironment.hasBrokerAndDatabase))
struct DrainMoveTests {
    /// Two equal hosts; volumers export volumes when `exporting`.
    static func hosts(exporting: Bool) -> [RegisteredAgent] {
        (Fixtures.host(ObjectID()) + Fixtures.host(ObjectID())).enumerated().map { index, agent in
            var agent = agent
            if agent.type == .agentVolumerFile && exporting { agent.exportURL = "http://192.0.2.\(index + 1):8476/" }
            return agent
        }
    }

    /// The seed's document without its host pin, so the spec may move.
    static func unpinnedSeed() throws -> SpecDocument {
        var document = try MessageCodec.decode(SpecDocument.self, from: SeedDocuments.submittedSpec, format: .yaml)
        document.annotations?[Annotations.hostID] = nil
        return document
    }

    static func move(_ spec: SpecMessage, off host: ObjectID) -> SpecMessage {
        SpecMessage(id: spec.id, annotations: [Annotations.drainingHost: .string(host.description)], spec: [])
    }

    static func agent(_ type: ObjectType, on host: ObjectID, in agents: [RegisteredAgent]) -> RegisteredAgent {
        agents.first { $0.type == type && $0.hostID == host }!
    }

    static func requests(
        _ received: [SchedulerHarness.Received], for id: ObjectID, to agent: RegisteredAgent
    ) -> [RequestMessage] {
        received.filter { $0.request.object.id == id && $0.queue == AgentClient.queue(agent.id) }.map(\.request)
    }

    @Test func aDrainMovesTheVMAndCopiesItsVolumeWhoseOldCopyIsRemovedOnlyLater() async throws {
        _ = try IntegrationEnvironment.requireBroker()
        _ = try IntegrationEnvironment.requireDatabase()
        try await IntegrationEnvironment.withIsolatedStore { store in
            let agents = Self.hosts(exporting: true)
            let harness = SchedulerHarness(store: store, agents: agents)
            try await harness.register()
            let spec = try await harness.storeSpec(try Self.unpinnedSeed())
            let byType = Dictionary(spec.spec.map { ($0.type!, $0.id!) }, uniquingKeysWith: { a, _ in a })
            let (vm, volume, nic) = (byType[.vmKVM]!, byType[.volumeFile]!, byType[.nic]!)
            let (old, firstCount, moved) = try await harness.run { publisher, inbox in
                try await publisher.publish(harness.outgoing(spec), timeout: .seconds(10))
                try await waitUntil("four requests", within: .seconds(30)) { inbox.requests(specID: spec.id).count >= 4 }
                let first = inbox.requests(specID: spec.id)
                let vmQueue = try #require(first.first { $0.request.object.id == vm }?.queue)
                let old = try #require(agents.first { AgentClient.queue($0.id) == vmQueue }).hostID
                let newQueues = Set(agents.filter { $0.hostID != old }.map { AgentClient.queue($0.id) })
                try await store.drain(hostID: old.uuid, reason: "test")
                try await publisher.publish(harness.outgoing(Self.move(spec, off: old)), timeout: .seconds(10))
                try await waitUntil("the VM, volume and NIC sent to the other host", within: .seconds(30)) {
                    let sent = inbox.requests(specID: spec.id).dropFirst(first.count)
                    return [vm, volume, nic].allSatisfy { id in
                        sent.contains { $0.request.object.id == id && newQueues.contains($0.queue) }
                    }
                }
                try await Task.sleep(for: .milliseconds(500))
                return (old, first.count, Array(inbox.requests(specID: spec.id).dropFirst(first.count)))
            }
            #expect(firstCount == 4)
            let new = try #require(agents.first { $0.hostID != old }).hostID
            let oldVolumer = Self.agent(.agentVolumerFile, on: old, in: agents)
            // The new volume is a copy of the old one, fetched from the old volumer.
            let copy = try #require(Self.requests(moved, for: volume, to: Self.agent(.agentVolumerFile, on: new, in: agents)).first)
            #expect(copy.copyFrom == VolumeCopySource(agentID: oldVolumer.id, url: "\(oldVolumer.exportURL!)volumes/\(volume)"))
            #expect(copy.object.desiredState == "allocated")
            let newVM = Self.requests(moved, for: vm, to: Self.agent(.agentComputeKVM, on: new, in: agents))
            #expect(!newVM.isEmpty && newVM.allSatisfy { $0.copyFrom == nil })
            // The old VM is removed at once (its volume can be copied only once QEMU lets go).
            #expect(Self.requests(moved, for: vm, to: Self.agent(.agentComputeKVM, on: old, in: agents)).map(\.object.desiredState) == ["deleted"])
            // The old volume is not: its removal waits for the copy.
            #expect(Self.requests(moved, for: volume, to: oldVolumer).isEmpty)
            let holders = try await store.withTransaction { tx in try await tx.deferredRemovalAgents([volume.uuid]) }
            #expect(holders == [volume.uuid: [oldVolumer.id.uuid]])
            let attempt = copy.attempt ?? 0
            let removals = try await store.withTransaction { tx in
                try await tx.takeDeferredRemovals(objectID: volume.uuid, appliedAttempt: attempt)
            }
            let removal = try #require(removals.first)
            #expect(removals.count == 1)
            let request = try MessageCodec.decode(RequestMessage.self, from: removal.message.body, format: .json)
            #expect(request.object.desiredState == "deleted")
            #expect(request.attempt == copy.attempt)
            #expect(removal.message.routingKey == AgentClient.queue(oldVolumer.id))
            // Everything of the spec but its network left the drained host.
            let placed = try await store.withTransaction { tx in try await tx.objectsPlaced(onHost: old.uuid, specID: spec.id) }
            #expect(placed.filter { $0.node.type != ObjectType.networkVLAN.rawValue }.isEmpty)
        }
    }

    @Test func aSpecWhoseVolumeCannotBeCopiedStaysPinnedWithTheReason() async throws {
        _ = try IntegrationEnvironment.requireBroker()
        _ = try IntegrationEnvironment.requireDatabase()
        try await IntegrationEnvironment.withIsolatedStore { store in
            let agents = Self.hosts(exporting: false)
            let harness = SchedulerHarness(store: store, agents: agents)
            try await harness.register()
            let spec = try await harness.storeSpec(try Self.unpinnedSeed())
            try await harness.run { publisher, inbox in
                try await publisher.publish(harness.outgoing(spec), timeout: .seconds(10))
                try await waitUntil("four requests", within: .seconds(30)) { inbox.requests(specID: spec.id).count >= 4 }
                let vm = spec.spec.first { $0.type == .vmKVM }!.id!
                let vmQueue = try #require(inbox.requests(specID: spec.id).first { $0.request.object.id == vm }?.queue)
                let old = try #require(agents.first { AgentClient.queue($0.id) == vmQueue }).hostID
                try await publisher.publish(harness.outgoing(Self.move(spec, off: old)), timeout: .seconds(10))
                try await waitUntil("PINNED events", within: .seconds(30)) {
                    try await store.events(specID: spec.id).contains { $0.kind == .pinned }
                }
                let pinned = try await store.events(specID: spec.id).filter { $0.kind == .pinned }
                #expect(Set(pinned.compactMap(\.objectID)) == Set(spec.spec.filter { $0.type != .networkVLAN }.map { $0.id!.uuid }))
                #expect(pinned.allSatisfy { $0.message.contains("does not export volumes") && $0.message.contains("volumer.export_url") })
                try await Task.sleep(for: .milliseconds(500))
                #expect(inbox.requests(specID: spec.id).count == 4, "nothing moves")
            }
        }
    }
}
