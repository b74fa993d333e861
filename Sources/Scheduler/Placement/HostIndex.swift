import Messages

/// The snapshot's agents by host and type, so choosing a host for a group of objects is one
/// pass over the hosts.
struct HostIndex {
    /// Every host with an agent, in id order (ties between equally good hosts go to the first).
    let hosts: [ObjectID]
    private let byHost: [ObjectID: [ObjectType: [RegisteredAgent]]]

    init(_ agents: some Sequence<RegisteredAgent>) {
        var byHost: [ObjectID: [ObjectType: [RegisteredAgent]]] = [:]
        for agent in agents {
            byHost[agent.hostID, default: [:]][agent.type, default: []].append(agent)
        }
        for (host, types) in byHost {
            byHost[host] = types.mapValues { $0.sorted { $0.id < $1.id } }
        }
        self.byHost = byHost
        hosts = byHost.keys.sorted()
    }

    /// The agents of `type` on `host`, in id order.
    func agents(of type: ObjectType, on host: ObjectID) -> [RegisteredAgent] {
        byHost[host]?[type] ?? []
    }
}
