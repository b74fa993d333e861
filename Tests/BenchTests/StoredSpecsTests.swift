import Foundation
import Logging
import Store
import TestSupport
import Testing

@testable import Bench

/// The benchmark's stored specs look like applied seed specs to the services' own reads.
@Suite("Stored specs", .enabled(if: IntegrationEnvironment.hasDatabase))
struct StoredSpecsTests {
    @Test func storedSpecsAreAppliedWithTheirObjectsClaimsAndEventsOnTheRegisteredHosts() async throws {
        try await IntegrationEnvironment.withIsolatedStore { store in
            let hosts = [UUID(), UUID()]
            var agents: [UUID: [String: UUID]] = [:]
            try await store.withTransaction { tx in
                var nodes: [GraphNode] = []
                for host in hosts {
                    for type in ["agent/compute/kvm", "agent/volumer/file", "agent/porter/vlan"] {
                        let id = UUID()
                        agents[host, default: [:]][type] = id
                        nodes.append(GraphNode(id: id, type: type, name: "\(type) \(host)", desiredState: "alived",
                                               object: #"{"type":"\#(type)","id":"\#(id)","host_id":"\#(host)"}"#))
                    }
                }
                try await tx.upsertNodes(nodes)
            }
            _ = try await StoredSpecs.load(7, store: store, logger: Logger(label: "test"), batch: 3)

            let (specs, graph, totals) = try await store.withTransaction { tx in
                // A fresh database: the specs are the first ids.
                var specs: [SpecRecord] = []
                for id in 1...20 { if let spec = try await tx.spec(Int64(id)) { specs.append(spec) } }
                let graph = try await tx.graph(specID: specs[0].id)
                let computes = hosts.compactMap { agents[$0]?["agent/compute/kvm"] }
                return (specs, graph, try await tx.claimTotals(agentIDs: computes))
            }
            #expect(specs.count == 7)
            #expect(specs.allSatisfy { $0.state == .applied && $0.latestVersion == 0 })
            #expect(graph.nodes.filter { !$0.type.hasPrefix("agent/") }.count == 4)
            #expect(graph.edges.count == 7)
            let events = try await store.withTransaction { tx in try await tx.events(specID: specs[0].id) }
            #expect(events.count == 10 && events.last?.message == "version 0 applied: all 4 objects applied")
            // Seven specs over two hosts: four VMs on the first, three on the second.
            #expect(totals.values.map(\.vcpus).sorted() == [6, 8])
        }
    }
}
