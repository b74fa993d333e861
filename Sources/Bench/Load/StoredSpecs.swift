import Foundation
import Logging
import Store

/// Specs already stored before a load phase, written straight through the project's store as an
/// applied seed spec leaves them: the spec and its version (applied), its four objects and their
/// edges, the claims, placements and events — placed on the running system's agents, so the
/// rows the hot queries must not scan are where a month of use would put them. The phases after
/// show whether a new spec's cost grows with what the cloud has stored.
public enum StoredSpecs {
    static let attachments = "n0stack/n0core/vm/attachments"
    static let portNetwork = "n0stack/n0core/port/network"
    static let scheduled = "n0stack/n0core/resource/scheduled"

    /// One host's agents, from the registry.
    struct HostAgents {
        var compute: UUID
        var volumer: UUID
        var porter: UUID
    }

    /// Writes `count` applied specs, `batch` to a transaction, spread over the hosts whose
    /// three agents are registered; returns how long it took.
    public static func load(_ count: Int, store: Store, logger: Logger, batch: Int = 100) async throws -> Duration {
        let hosts = try await self.hosts(in: store)
        guard !hosts.isEmpty else { throw BenchError("no host has its three agents registered; start the agents first") }
        let clock = ContinuousClock()
        let started = clock.now
        var written = 0
        while written < count {
            let size = min(batch, count - written)
            try await store.withTransaction { tx in
                var nodes: [GraphNode] = [], edges: [GraphEdge] = [], claims: [Claim] = [], events: [Event] = []
                var applied: [UUID] = []
                for offset in 0..<size {
                    let host = hosts[(written + offset) % hosts.count]
                    let (vm, volume, nic, network) = (UUID(), UUID(), UUID(), UUID())
                    let document = Self.document(vm: vm, volume: volume, nic: nic, network: network)
                    let (specID, _) = try await tx.createSpec(NewSpecVersion(submitted: document, resolved: document))
                    try await tx.setState(.applied, specID: specID, version: 0)
                    let ids = [vm, volume, nic, network]
                    try await tx.acceptPlacements(ids, specID: specID, version: 0)
                    applied += ids
                    nodes += [
                        GraphNode(id: vm, type: "resource/vm/kvm", name: "web", specID: specID, desiredState: "running",
                                  observedState: "APPLIED",
                                  object: #"{"type":"resource/vm/kvm","id":"\#(vm)","name":"web","arch":"amd64","vcpus":2,"memory":"4gb"}"#),
                        GraphNode(id: volume, type: "resource/volume/file", name: "new_volume", specID: specID,
                                  desiredState: "allocated", observedState: "APPLIED",
                                  object: #"{"type":"resource/volume/file","id":"\#(volume)","name":"new_volume","size":"10gb"}"#),
                        GraphNode(id: nic, type: "resource/nic", name: "\(nic)", specID: specID, desiredState: "attached",
                                  observedState: "APPLIED",
                                  object: #"{"type":"resource/nic","id":"\#(nic)","ip_addresses":["192.168.0.1"]}"#),
                        GraphNode(id: network, type: "resource/network/vlan", name: "vlan_network", specID: specID,
                                  desiredState: "applied", observedState: "APPLIED",
                                  object: #"{"type":"resource/network/vlan","id":"\#(network)","name":"vlan_network","parameters":{"vlan_id":100}}"#),
                    ]
                    edges += [
                        GraphEdge(source: vm, target: volume, relation: attachments, specID: specID),
                        GraphEdge(source: vm, target: nic, relation: attachments, specID: specID),
                        GraphEdge(source: nic, target: network, relation: portNetwork, specID: specID),
                        GraphEdge(source: vm, target: host.compute, relation: scheduled, specID: specID),
                        GraphEdge(source: volume, target: host.volumer, relation: scheduled, specID: specID),
                        GraphEdge(source: nic, target: host.porter, relation: scheduled, specID: specID),
                        GraphEdge(source: network, target: host.porter, relation: scheduled, specID: specID),
                    ]
                    claims += [
                        Claim(objectID: vm, agentID: host.compute, specID: specID, vcpus: 2, memoryBytes: 4 << 30),
                        Claim(objectID: volume, agentID: host.volumer, specID: specID, diskBytes: 10 << 30),
                    ]
                    events.append(Event(specID: specID, version: 0, kind: "ACCEPTED", message: "version 0 accepted with 4 objects"))
                    for id in ids {
                        events.append(Event(specID: specID, version: 0, objectID: id, kind: .scheduled, message: "scheduled (stored by the benchmark)"))
                        events.append(Event(specID: specID, version: 0, objectID: id, kind: .applied, message: "applied (stored by the benchmark)"))
                    }
                    events.append(Event(specID: specID, version: 0, kind: .applied, message: "version 0 applied: all 4 objects applied"))
                }
                try await tx.upsertNodes(nodes)
                try await tx.upsertEdges(edges)
                try await tx.upsertClaims(claims)
                try await tx.setPlacementPhase(.applied, objectIDs: applied, attempt: Dictionary(uniqueKeysWithValues: applied.map { ($0, 1) }))
                try await tx.appendEvents(events)
            }
            written += size
            if written % 5_000 == 0 || written == count {
                logger.notice("stored specs", metadata: ["written": "\(written)", "of": "\(count)"])
            }
        }
        return clock.now - started
    }

    /// The hosts whose compute, volume and network agents are all registered.
    static func hosts(in store: Store) async throws -> [HostAgents] {
        let nodes = try await store.withTransaction { tx in
            try await tx.nodes(types: ["agent/compute/kvm", "agent/volumer/file", "agent/porter/vlan"])
        }
        var byHost: [String: [String: UUID]] = [:]
        for node in nodes {
            guard let object = try? JSONSerialization.jsonObject(with: Data(node.object.utf8)) as? [String: Any],
                  let host = object["host_id"] as? String else { continue }
            byHost[host, default: [:]][node.type] = node.id
        }
        return byHost.keys.sorted().compactMap { host in
            let agents = byHost[host]!
            guard let compute = agents["agent/compute/kvm"], let volumer = agents["agent/volumer/file"],
                  let porter = agents["agent/porter/vlan"] else { return nil }
            return HostAgents(compute: compute, volumer: volumer, porter: porter)
        }
    }

    static func document(vm: UUID, volume: UUID, nic: UUID, network: UUID) -> String {
        #"{"version":0,"spec":{"web":{"type":"resource/vm/kvm","id":"\#(vm)","vcpus":2,"memory":"4gb","dependencies":[{"object":{"id":"\#(nic)"},"property":{"r":"n0stack/n0core/vm/attachments"}},{"object":{"id":"\#(volume)"},"property":{"r":"n0stack/n0core/vm/attachments"}}]},"var_network":{"type":"resource/network/vlan","id":"\#(network)"}}}"#
    }
}
