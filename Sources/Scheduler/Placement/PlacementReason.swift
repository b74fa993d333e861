import Messages

/// The words of placement failures. Each says what was needed and where, so a person knows
/// what to change: start an agent, free capacity, or ask for another host.
enum PlacementReason {
    /// `no alive agent/compute/kvm with 2 vcpus and 4gb memory free on host 85cf…`, and why the
    /// closest candidates did not do.
    static func noAgent(
        _ type: ObjectType, demand: Resources, host: ObjectID?, avoided: [ObjectID], mostFree: Resources?
    ) -> String {
        var text = "no alive \(type.rawValue)"
        if !demand.isZero { text += " with \(demand.description) free" }
        if let host { text += " on host \(host)" }
        if !avoided.isEmpty {
            let list = avoided.sorted().map(\.description).joined(separator: ", ")
            text += avoided.count == 1
                ? " other than agent \(list), which failed this object before"
                : " other than agents \(list), which failed this object before"
        }
        if let mostFree {
            text += "; the one with the most free has \(mostFree.description(alongside: demand)) free"
        }
        return text
    }

    /// Every kind of agent a group needs exists somewhere, but not together on one host.
    static func noCommonHost(_ needs: [(type: ObjectType, demand: Resources)], host: ObjectID?) -> String {
        let parts = needs.map { need in
            need.demand.isZero ? need.type.rawValue : "\(need.type.rawValue) with \(need.demand.description) free"
        }
        let list = parts.count == 1 ? parts[0] : parts.dropLast().joined(separator: ", ") + " and " + parts.last!
        let location = host.map { " on host \($0)" } ?? ""
        return "no single host\(location) has alive \(list) together (a VM runs on the host of its volumes and NICs)"
    }

    /// An object that asks for less than nothing (only a forged message can: the API holds
    /// vcpus, memory and sizes to their bounds).
    static func negativeDemand(_ demand: Resources) -> String {
        "asks for a negative amount (vcpus \(demand.vcpus), memory \(demand.memoryBytes) bytes, disk \(demand.diskBytes) bytes); "
            + "nothing is placed for it"
    }

    static func conflictingHosts(_ hosts: Set<ObjectID>) -> String {
        "objects attached to each other are already on different hosts (\(hosts.sorted().map(\.description).joined(separator: ", "))); "
            + "they cannot be joined without moving one"
    }

    static func pinnedElsewhere(anchor: ObjectID, pinned: ObjectID) -> String {
        "objects it is attached to are on host \(anchor), but the spec asks for host \(pinned) "
            + "(\(Annotations.hostID)); objects are not moved between hosts"
    }

    static func cannotGrow(_ object: Object, agent: RegisteredAgent, free: Resources) -> String {
        "\(agent.type.rawValue) \(agent.id) on host \(agent.hostID) has \(free.description(alongside: object.demand)) free, "
            + "not enough for \(describe(object)) to grow to \(object.demand.description)"
    }

    /// Under `different_host`, every host that could take a VM holds another VM of the spec:
    /// `n0stack/scheduling/different_host: the spec's 3 VMs need 3 different hosts with room;
    /// only 2 hosts have the agents and free capacity for them`.
    static func differentHost(vms: Int, hosts: Int, pinned: ObjectID?) -> String {
        var text = "\(Annotations.differentHost): the spec's \(vms) VMs need \(vms) different hosts with room; only "
            + (hosts == 1 ? "1 host has" : "\(hosts) hosts have") + " the agents and free capacity for them"
        if let pinned {
            text += " (this VM can only go to host \(pinned), where \(Annotations.hostID) or the objects it is attached to put it)"
        }
        return text
    }

    /// Under `different_host`, VMs that share a volume or NIC, which would put them on one host.
    static func differentHostJoined(_ vms: [Object]) -> String {
        let list = vms.map(describe).joined(separator: ", ")
        return "\(Annotations.differentHost): VMs \(list) are attached to the same objects, which keeps them on one host"
    }

    static func unknownDependency(_ id: ObjectID) -> String {
        "depends on \(id), which is neither in this spec nor in the resource graph"
    }

    static func notSchedulable(_ type: ObjectType) -> String {
        "\(type.rawValue) is an agent, not a resource to schedule"
    }

    static func noPorterForNetwork(_ network: Object, host: ObjectID, avoided: [ObjectID]) -> String {
        noAgent(.agentPorterVLAN, demand: .zero, host: host, avoided: avoided, mostFree: nil)
            + " to bring up network \(describe(network)) for its NICs there"
    }

    static func blocked(by summary: String) -> String {
        "not scheduled because other objects of this spec cannot be placed: \(summary)"
    }

    /// `web (56410722-…)`, or the id alone for unnamed objects.
    static func describe(_ object: Object) -> String {
        let id = object.id?.description ?? "?"
        guard let name = object.name, !name.isEmpty else { return id }
        return "\(name) (\(id))"
    }
}

extension Resources {
    /// The figures `demand` asks for, zeros included: `1 vcpu and 0b memory` says exactly what is
    /// short.
    func description(alongside demand: Resources) -> String {
        var parts: [String] = []
        if demand.vcpus != 0 { parts.append(vcpus == 1 ? "1 vcpu" : "\(vcpus) vcpus") }
        if demand.memoryBytes != 0 { parts.append("\(Self.size(memoryBytes)) memory") }
        if demand.diskBytes != 0 { parts.append("\(Self.size(diskBytes)) disk") }
        if parts.isEmpty { return description.isEmpty ? "nothing" : description }
        return parts.count == 1 ? parts[0] : parts.dropLast().joined(separator: ", ") + " and " + parts.last!
    }
}
