import Messages
import Scheduler
import TestSupport

/// Agents, objects and requests for placement tests, built in a line each.
enum Fixtures {
    static let gb: Int64 = 1 << 30

    static func compute(_ host: ObjectID, vcpus: Int = 16, memoryGB: Int64 = 64, alive: Bool = true,
                        id: ObjectID = ObjectID(), claimed: Resources = .zero) -> RegisteredAgent {
        RegisteredAgent(id: id, type: .agentComputeKVM, hostID: host, alive: alive,
                        capacity: Resources(vcpus: vcpus, memoryBytes: memoryGB * gb), claimed: claimed)
    }

    static func volumer(_ host: ObjectID, diskGB: Int64 = 1000, alive: Bool = true, id: ObjectID = ObjectID(),
                        claimed: Resources = .zero) -> RegisteredAgent {
        RegisteredAgent(id: id, type: .agentVolumerFile, hostID: host, alive: alive,
                        capacity: Resources(diskBytes: diskGB * gb), claimed: claimed)
    }

    static func porter(_ host: ObjectID, alive: Bool = true, id: ObjectID = ObjectID(), addresses: [String] = []) -> RegisteredAgent {
        RegisteredAgent(id: id, type: .agentPorterVLAN, hostID: host, alive: alive, capacity: .zero, addresses: addresses)
    }

    /// One agent of each kind on `host`.
    static func host(_ host: ObjectID, vcpus: Int = 16, memoryGB: Int64 = 64, diskGB: Int64 = 1000) -> [RegisteredAgent] {
        [compute(host, vcpus: vcpus, memoryGB: memoryGB), volumer(host, diskGB: diskGB), porter(host)]
    }

    static func vm(_ id: ObjectID = ObjectID(), vcpus: Int = 2, memoryGB: UInt64 = 4, attaching: [ObjectID] = [],
                   state: String = "running") -> Object {
        Object(type: .vmKVM, id: id, name: "vm", desiredState: state, arch: "amd64", vcpus: vcpus,
               memory: Size(memoryGB, .gb),
               dependencies: attaching.isEmpty ? nil : attaching.map {
                   Dependency(object: .reference($0), property: DependencyProperty(relation: Relation.vmAttachments))
               })
    }

    static func volume(_ id: ObjectID = ObjectID(), sizeGB: UInt64 = 10, state: String = "allocated") -> Object {
        Object(type: .volumeFile, id: id, name: "volume", desiredState: state, size: Size(sizeGB, .gb))
    }

    static func nic(_ id: ObjectID = ObjectID(), network: ObjectID, state: String = "attached") -> Object {
        Object(type: .nic, id: id, desiredState: state, ipAddresses: ["192.168.0.1"],
               dependencies: [Dependency(object: .reference(network), property: DependencyProperty(relation: Relation.portNetwork))])
    }

    static func network(_ id: ObjectID = ObjectID(), state: String = "applied") -> Object {
        Object(type: .networkVLAN, id: id, name: "net", desiredState: state)
    }

    /// The seed's `Spec` message (section 3), decoded.
    static func seedSpec() throws -> SpecMessage {
        try MessageCodec.decode(SpecMessage.self, from: SeedDocuments.specMessage, format: .yaml)
    }

    static func place(_ objects: [Object], on agents: [RegisteredAgent], constraints: SchedulingConstraints = .init(),
                      related: [ObjectID: Object] = [:], siblings: Set<ObjectID> = [],
                      current: [ObjectID: [ObjectID]] = [:], claims: [ObjectID: ObjectClaim] = [:],
                      dhcpServers: [ObjectID: ObjectID] = [:], networkPorts: [ObjectID: [ObjectID: [ObjectID]]] = [:])
        -> Result<PlacementPlan, PlacementFailure> {
        Placement.place(
            PlacementRequest(specID: 1, objects: objects, related: related, siblings: siblings, current: current,
                             claims: claims, dhcpServers: dhcpServers, networkPorts: networkPorts, constraints: constraints),
            in: PlacementSnapshot(agents: agents))
    }
}

extension Result {
    /// The failure, or nil.
    var failure: Failure? {
        if case .failure(let failure) = self { failure } else { nil }
    }
}

extension Fixtures {
    /// A spec of a VM with a 5gb volume attached.
    static func vmWithVolumeDocument(vcpus: Int = 2, memoryGB: Int = 2) throws -> SpecDocument {
        try MessageCodec.decode(SpecDocument.self, from: """
            spec:
              vm:
                type: resource/vm/kvm
                arch: amd64
                vcpus: \(vcpus)
                memory: \(memoryGB)gb
                dependencies:
                  - object:
                      type: resource/volume/file
                      size: 5gb
                    property:
                      r: n0stack/n0core/vm/attachments
                      n0stack/n0core/vm/boot_priority: 1
            """, format: .yaml)
    }
}

