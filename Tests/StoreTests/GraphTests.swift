import Foundation
import Store
import TestSupport
import Testing

@Suite("Resource graph", .enabled(if: IntegrationEnvironment.hasDatabase))
struct GraphTests {
    static let attachments = "n0stack/n0core/vm/attachments"
    static let network = "n0stack/n0core/port/network"
    static let scheduled = "n0stack/n0core/resource/scheduled"

    /// The seed's graph: a VM attached to a volume and a NIC, the NIC on a network, each object
    /// scheduled on an agent (the VM and the volume on one host's agents).
    struct Seed {
        let specID = Int64.random(in: 1_000_000_000...Int64.max)
        let vm = UUID(), volume = UUID(), nic = UUID(), net = UUID()
        let compute = UUID(), volumer = UUID(), porter = UUID()

        var nodes: [GraphNode] {
            [
                GraphNode(id: vm, type: "resource/vm/kvm", name: "web", specID: specID, desiredState: "running",
                          object: #"{"type": "resource/vm/kvm", "vcpus": 2}"#),
                GraphNode(id: volume, type: "resource/volume/file", name: "new_volume", specID: specID,
                          desiredState: "allocated"),
                GraphNode(id: nic, type: "resource/nic", name: "web-nic", specID: specID, desiredState: "attached"),
                GraphNode(id: net, type: "resource/network/vlan", name: "vlan_network", specID: specID,
                          desiredState: "applied"),
                GraphNode(id: compute, type: "agent/compute/kvm", name: "compute", desiredState: "alived"),
                GraphNode(id: volumer, type: "agent/volumer/file", name: "volumer", desiredState: "alived"),
                GraphNode(id: porter, type: "agent/porter/vlan", name: "porter", desiredState: "alived"),
            ]
        }

        var edges: [GraphEdge] {
            [
                GraphEdge(source: vm, target: volume, relation: attachments,
                          properties: #"{"n0stack/n0core/vm/boot_priority": 1}"#, specID: specID),
                GraphEdge(source: vm, target: nic, relation: attachments, specID: specID),
                GraphEdge(source: nic, target: net, relation: network, specID: specID),
                GraphEdge(source: vm, target: compute, relation: scheduled, specID: specID),
                GraphEdge(source: volume, target: volumer, relation: scheduled, specID: specID),
                GraphEdge(source: nic, target: porter, relation: scheduled, specID: specID),
                GraphEdge(source: net, target: porter, relation: scheduled, specID: specID),
            ]
        }
    }

    @Test func subgraphReturnsTheNeighbourhood() async throws {
        try await IntegrationEnvironment.withStore(maximumConnections: 8) { store in
            let seed = Seed()
            try await store.withTransaction { tx in
                try await tx.upsertNodes(seed.nodes)
                try await tx.upsertEdges(seed.edges)
            }

            func ids(_ graph: Graph) -> Set<UUID> { Set(graph.nodes.map(\.id)) }

            let zero = try await store.subgraph(from: seed.vm, depth: 0)
            #expect(ids(zero) == [seed.vm])
            #expect(zero.edges.isEmpty)

            let one = try await store.subgraph(from: seed.vm, depth: 1, direction: .outgoing)
            #expect(ids(one) == [seed.vm, seed.volume, seed.nic, seed.compute])
            #expect(one.edges.count == 3)

            let two = try await store.subgraph(from: seed.vm, depth: 2, direction: .outgoing)
            #expect(ids(two) == [seed.vm, seed.volume, seed.nic, seed.compute, seed.volumer, seed.net, seed.porter])
            #expect(Set(two.edges) == Set(seed.edges))

            let dependents = try await store.subgraph(from: seed.net, depth: 2, direction: .incoming)
            #expect(ids(dependents) == [seed.net, seed.nic, seed.vm])

            let around = try await store.subgraph(from: seed.nic, depth: 1)
            #expect(ids(around) == [seed.nic, seed.vm, seed.net, seed.porter])
            // Every edge among those nodes, including net → porter.
            #expect(around.edges.count == 4)

            let unknown = try await store.subgraph(from: UUID(), depth: 3)
            #expect(unknown.nodes.isEmpty && unknown.edges.isEmpty)
        }
    }

    @Test func nodesAndEdgesReadBackAsWritten() async throws {
        try await IntegrationEnvironment.withStore(maximumConnections: 8) { store in
            let seed = Seed()
            try await store.upsertNodes(seed.nodes)
            try await store.upsertEdges(seed.edges)

            let vm = try #require(try await store.node(seed.vm))
            #expect(vm.type == "resource/vm/kvm")
            #expect(vm.name == "web")
            #expect(vm.specID == seed.specID)
            #expect(vm.desiredState == "running")
            #expect(vm.observedState == nil)
            #expect(try JSONValue(vm.object) == JSONValue(#"{"vcpus": 2, "type": "resource/vm/kvm"}"#))
            #expect(vm.updatedAt != nil)
            #expect(try await store.node(UUID()) == nil)

            let graph = try await store.graph(specID: seed.specID)
            #expect(Set(graph.nodes.map(\.id)) == Set(seed.nodes.map(\.id)))
            #expect(Set(graph.edges) == Set(seed.edges))
            let boot = try #require(graph.edges.first { $0.target == seed.volume })
            #expect(try JSONValue(boot.properties) == JSONValue(#"{"n0stack/n0core/vm/boot_priority": 1}"#))

            let agents = try await store.nodes(types: ["agent/compute/kvm", "agent/porter/vlan"])
            #expect(Set(agents.map(\.id)).isSuperset(of: [seed.compute, seed.porter]))
            #expect(!agents.contains { $0.id == seed.volumer })
        }
    }

    @Test func upsertKeepsWhatTheWriterDidNotKnow() async throws {
        try await IntegrationEnvironment.withStore(maximumConnections: 8) { store in
            let seed = Seed()
            try await store.upsertNodes(seed.nodes)
            var applied = seed.nodes[1]
            applied.observedState = "APPLIED"
            applied.object = #"{"url": "file:///var/lib/n0core/volumes/x.qcow2"}"#
            try await store.upsertNodes([applied])

            // The scheduler rewrites the node knowing nothing of what the agent observed.
            var rescheduled = seed.nodes[1]
            rescheduled.specID = nil
            rescheduled.name = "renamed"
            try await store.upsertNodes([rescheduled, rescheduled])

            let node = try #require(try await store.node(seed.volume))
            #expect(node.observedState == "APPLIED")
            #expect(node.specID == seed.specID)
            #expect(node.name == "renamed")
            #expect(node.object == "{}")
        }
    }

    /// The issue's lost update: the API rewrote a node from a read taken before an agent's result
    /// was recorded, erasing the volume's `url` and the NIC's MAC. Preserving the observed keys
    /// in the writing statement keeps them; a value the writer does give wins.
    @Test func aWriterThatDidNotReadTheObservedFieldsKeepsThem() async throws {
        try await IntegrationEnvironment.withIsolatedStore(maximumConnections: 8) { store in
            let seed = Seed()
            try await store.upsertNodes(seed.nodes)
            var applied = seed.nodes[1]
            applied.object = #"{"size": "10gb", "url": "file:///var/lib/n0core/volumes/x.qcow2"}"#
            try await store.upsertNodes([applied])

            var newVersion = seed.nodes[1]
            newVersion.object = #"{"size": "20gb"}"#
            try await store.withTransaction { tx in
                try await tx.upsertNodes([newVersion], preservingObjectKeys: ["url", "bridge", "hw_addr"])
            }
            let kept = try #require(try await store.node(seed.volume)).object
            #expect(kept.contains(#""url": "file:///var/lib/n0core/volumes/x.qcow2""#))
            #expect(kept.contains(#""size": "20gb""#))
            #expect(!kept.contains("bridge"), "keys the stored object lacks are not added as null")

            newVersion.object = #"{"size": "20gb", "url": "file:///elsewhere"}"#
            try await store.withTransaction { tx in
                try await tx.upsertNodes([newVersion], preservingObjectKeys: ["url"])
            }
            #expect(try #require(try await store.node(seed.volume)).object.contains("file:///elsewhere"))
        }
    }

    @Test func rescheduleMovesTheScheduledEdge() async throws {
        try await IntegrationEnvironment.withStore(maximumConnections: 8) { store in
            let seed = Seed()
            let otherAgent = UUID()
            try await store.upsertNodes(seed.nodes)
            try await store.upsertEdges(seed.edges)
            try await store.withTransaction { tx in
                #expect(try await tx.node(seed.vm, forUpdate: true) != nil)
                #expect(try await tx.deleteEdges(from: seed.vm, relation: Self.scheduled) == 1)
                try await tx.upsertEdges([GraphEdge(source: seed.vm, target: otherAgent, relation: Self.scheduled,
                                                    specID: seed.specID)])
            }
            let out = try await store.subgraph(from: seed.vm, depth: 1, direction: .outgoing)
            let scheduled = out.edges.filter { $0.relation == Self.scheduled }
            #expect(scheduled.map(\.target) == [otherAgent])
        }
    }

    @Test func aNetworksPortsAreItsNICsNotBeingRemovedWithTheirAgents() async throws {
        try await IntegrationEnvironment.withIsolatedStore { store in
            let seed = Seed()
            let (other, gone, otherPorter) = (UUID(), UUID(), UUID())
            try await store.withTransaction { tx in
                try await tx.upsertNodes(seed.nodes + [
                    GraphNode(id: other, type: "resource/nic", name: "other", specID: seed.specID + 1, desiredState: "attached"),
                    GraphNode(id: gone, type: "resource/nic", name: "gone", specID: seed.specID + 1, desiredState: "deleted"),
                ])
                try await tx.upsertEdges(seed.edges + [
                    GraphEdge(source: other, target: seed.net, relation: Self.network, specID: seed.specID + 1),
                    GraphEdge(source: other, target: otherPorter, relation: Self.scheduled, specID: seed.specID + 1),
                    GraphEdge(source: other, target: seed.porter, relation: Self.scheduled, specID: seed.specID + 1),
                    GraphEdge(source: gone, target: seed.net, relation: Self.network, specID: seed.specID + 1),
                    GraphEdge(source: gone, target: otherPorter, relation: Self.scheduled, specID: seed.specID + 1),
                ])
            }
            let ports = try await store.withTransaction { tx in
                try await tx.networkPorts(networks: [seed.net], portRelation: Self.network, scheduledRelation: Self.scheduled)
            }
            let found = Set(ports.map { "\($0.nicID) \($0.agentID)" })
            #expect(found == ["\(seed.nic) \(seed.porter)", "\(other) \(otherPorter)", "\(other) \(seed.porter)"],
                    "every NIC of the network with each of its agents, the one being removed left out")
            #expect(ports.allSatisfy { $0.networkID == seed.net })
        }
    }

}

@Suite("Events", .enabled(if: IntegrationEnvironment.hasDatabase))
struct EventTests {
    @Test func appendedEventsReadBackInOrder() async throws {
        try await IntegrationEnvironment.withStore(maximumConnections: 8) { store in
            let specID = try await store.createSpec(NewSpecVersion(submitted: "{}", resolved: "{}")).specID
            let vm = UUID()
            try await store.appendEvents([
                Event(specID: specID, version: 0, objectID: vm, kind: .scheduled, message: "on compute"),
                Event(specID: specID, version: 0, kind: .rescheduled),
            ])
            try await store.withTransaction { tx in
                try await tx.appendEvents([Event(specID: specID, version: 0, objectID: vm, kind: .applied)])
                try await tx.setState(.applied, specID: specID, version: 0)
            }

            let events = try await store.events(specID: specID)
            #expect(events.map(\.kind) == [.scheduled, .rescheduled, .applied])
            #expect(events.map(\.objectID) == [vm, nil, vm])
            #expect(events[0].message == "on compute")
            #expect(events.allSatisfy { $0.id != nil && $0.createdAt != nil && $0.specID == specID })

            let later = try await store.events(specID: specID, after: events[0].id)
            #expect(later.map(\.kind) == [.rescheduled, .applied])
            #expect(try await store.events(specID: .max).isEmpty)
        }
    }

    @Test func pingAnswers() async throws {
        try await IntegrationEnvironment.withStore(maximumConnections: 8) { store in
            try await store.ping()
        }
    }
}
