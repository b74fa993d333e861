import API
import Foundation
import Messages
import Store
import TestSupport

/// The seed example set up in the database as the API and the scheduler leave it: the submitted
/// document resolved (fresh ids) and stored as version 0 with its nodes, dependency edges and
/// `ACCEPTED` event (as `POST /api/spec` does); three agents on one fresh host; and, on request,
/// `scheduled` edges with `SCHEDULED` events and the NIC's MAC (as the scheduler does).
///
/// The seed's `Notify` documents are used as written, with the seed's ids replaced by this
/// scenario's, so the conductor is fed exactly the seed's shapes.
struct SeedScenario: Sendable {
    enum Resource: Sendable, CaseIterable {
        case vm, volume, nic, network
    }

    let specID: Int64
    let vm: ObjectID, volume: ObjectID, nic: ObjectID, network: ObjectID
    let compute: ObjectID, volumer: ObjectID, porter: ObjectID
    let host: ObjectID
    /// The MAC "the scheduler" gives the NIC.
    let mac: String

    // The seed's own ids, replaced in its documents.
    static let seedVM = "56410722-d507-472a-a800-c89211b7c261"
    static let seedNIC = "a1f6a79b-7ad0-499e-b912-44eb73ea0f81"
    static let seedVolume = "d99163ed-0093-40a0-a61b-365a1aece509"
    static let seedNetwork = "8451da31-5e3a-4c46-aa3a-2a557382a6cd"
    static let seedCompute = "2463f81d-20d8-4395-a3c4-84a271a5b3a7"
    static let seedVolumer = "264b01b8-aeb5-478a-ad11-715fbc86d2f6"
    static let seedPorter = "a0c819fa-9dc2-4666-b7fd-d235a2551119"
    static let seedHost = "8bce7696-f641-411c-a0ce-6ed066d912a3"
    static let seedMAC = "ffffffffffff"

    /// Stores the seed's spec as the API would.
    static func create(in store: Store) async throws -> SeedScenario {
        let document = try MessageCodec.decode(SpecDocument.self, from: SeedDocuments.submittedSpec, format: .yaml)
        let resolved = try SpecResolver.resolve(document, context: ResolutionContext()).get()
        func id(_ type: ObjectType) throws -> ObjectID {
            guard let id = resolved.objects.first(where: { $0.type == type })?.id else {
                throw ScenarioError(description: "the resolved seed has no \(type.rawValue)")
            }
            return id
        }
        let version = NewSpecVersion(
            annotations: MessageCodec.encodeString(document.annotations ?? Annotations(), format: .json),
            submitted: MessageCodec.encodeString(document, format: .json),
            resolved: MessageCodec.encodeString(resolved.document, format: .json))
        let specID = try await store.withTransaction { tx in
            let (specID, _) = try await tx.createSpec(version)
            var nodes: [GraphNode] = []
            var edges: [GraphEdge] = []
            for object in resolved.objects {
                guard let id = object.id, let type = object.type else { continue }
                nodes.append(GraphNode(id: id.uuid, type: type.rawValue, name: object.name ?? "", specID: specID,
                                       desiredState: object.desiredState,
                                       object: MessageCodec.encodeString(object, format: .json)))
                for dependency in object.dependencies ?? [] {
                    guard let target = dependency.object.id else { continue }
                    edges.append(GraphEdge(source: id.uuid, target: target.uuid, relation: dependency.property.relation,
                                           properties: MessageCodec.encodeString(dependency.property, format: .json),
                                           specID: specID))
                }
            }
            try await tx.upsertNodes(nodes)
            try await tx.upsertEdges(edges)
            try await tx.appendEvents([Event(specID: specID, version: 0, kind: "ACCEPTED", message: "version 0 accepted")])
            return specID
        }
        let macSuffix = (0..<3).map { _ in String(format: "%02x", Int.random(in: 0...255)) }.joined(separator: ":")
        return SeedScenario(
            specID: specID, vm: try id(.vmKVM), volume: try id(.volumeFile), nic: try id(.nic), network: try id(.networkVLAN),
            compute: ObjectID(), volumer: ObjectID(), porter: ObjectID(), host: ObjectID(), mac: "52:54:00:\(macSuffix)")
    }

    func id(of resource: Resource) -> ObjectID {
        switch resource {
        case .vm: vm
        case .volume: volume
        case .nic: nic
        case .network: network
        }
    }

    /// The agent the scheduler places `resource` on.
    func agent(of resource: Resource) -> ObjectID {
        switch resource {
        case .vm: compute
        case .volume: volumer
        case .nic, .network: porter
        }
    }

    /// A heartbeat of one of the scenario's agents (or another agent id on the same host).
    func heartbeat(_ agent: ObjectID, type: ObjectType, intervalSeconds: Int) -> HeartbeatMessage {
        let capacity: Capacity? = switch type {
        case .agentComputeKVM: Capacity(vcpus: 8, memory: Size(16, .gb))
        case .agentVolumerFile: Capacity(disk: Size(100, .gb))
        default: nil
        }
        return HeartbeatMessage(
            agent: Object(type: type, id: agent, desiredState: "alived", hostID: host, capacity: capacity),
            intervalSeconds: intervalSeconds, sentAt: Date())
    }

    /// Heartbeats of the three agents.
    func heartbeats(intervalSeconds: Int, computeInterval: Int? = nil) -> [HeartbeatMessage] {
        [
            heartbeat(compute, type: .agentComputeKVM, intervalSeconds: computeInterval ?? intervalSeconds),
            heartbeat(volumer, type: .agentVolumerFile, intervalSeconds: intervalSeconds),
            heartbeat(porter, type: .agentPorterVLAN, intervalSeconds: intervalSeconds),
        ]
    }

    /// What the scheduler writes when it places `resources` (each on `agent`, or its own agent):
    /// the `scheduled` edge replacing an older one, a `SCHEDULED` event, the NIC's MAC, and the
    /// object's round at its next attempt.
    func schedule(_ resources: [Resource], on agent: ObjectID? = nil, version: Int = 0, in store: Store) async throws {
        try await store.withTransaction { tx in
            var events: [Event] = []
            for resource in resources {
                let object = id(of: resource).uuid
                let target = agent ?? self.agent(of: resource)
                try await tx.deleteEdges(from: object, relation: Relation.scheduled)
                try await tx.upsertEdges([GraphEdge(
                    source: object, target: target.uuid, relation: Relation.scheduled,
                    properties: MessageCodec.encodeString(DependencyProperty(relation: Relation.scheduled), format: .json),
                    specID: specID)])
                if resource == .nic, var node = try await tx.node(object) {
                    var nic = try MessageCodec.decode(Object.self, from: node.object, format: .json)
                    nic.hwAddr = mac
                    node.object = MessageCodec.encodeString(nic, format: .json)
                    try await tx.upsertNodes([node])
                }
                events.append(Event(specID: specID, version: version, objectID: object, kind: .scheduled,
                                    message: "scheduled on agent \(target) (host \(host))"))
                // The object's round: its next attempt, scheduled now.
                let round = try await tx.placements([object])[object]
                if round == nil || round!.version < version {
                    try await tx.acceptPlacements([object], specID: specID, version: version)
                }
                try await tx.setPlacementPhase(.scheduled, objectIDs: [object], attempt: [object: (round?.attempt ?? 0) + 1])
            }
            try await tx.appendEvents(events)
        }
    }

    /// The seed's `Notify` for `resource` (seed 5.2/5.3) with this scenario's ids; `agent`
    /// replaces the agent that reports it.
    func notify(_ resource: Resource, level: NotifyLevel = .success, message: String? = nil, agent: ObjectID? = nil) throws -> NotifyMessage {
        let text = switch resource {
        case .vm: SeedDocuments.notifyVM
        case .volume: SeedDocuments.notifyVolume
        case .nic: SeedDocuments.notifyNIC
        case .network: SeedDocuments.notifyNetwork
        }
        let replacements = [
            (Self.seedVM, vm.description), (Self.seedNIC, nic.description), (Self.seedVolume, volume.description),
            (Self.seedNetwork, network.description), (Self.seedHost, host.description), (Self.seedMAC, mac),
            (Self.seedCompute, compute.description), (Self.seedVolumer, volumer.description), (Self.seedPorter, porter.description),
        ]
        var replaced = text
        for (seed, mine) in replacements {
            replaced = replaced.replacingOccurrences(of: seed, with: mine)
        }
        var notify = try MessageCodec.decode(NotifyMessage.self, from: replaced, format: .yaml)
        notify.specID = specID
        notify.level = level
        if let message { notify.message = message }
        if let agent {
            // Another agent reports it: its own `scheduled` dependency names that agent.
            notify.object.dependencies = notify.object.dependencies?.map { dependency in
                guard dependency.property.relation == Relation.scheduled else { return dependency }
                var dependency = dependency
                dependency.object.id = agent
                return dependency
            }
        }
        return notify
    }
}

struct ScenarioError: Error, CustomStringConvertible {
    let description: String
}
