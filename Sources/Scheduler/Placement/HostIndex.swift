import Messages

/// The snapshot's agents by host and type, and for each type the hosts ranked by the free share
/// of their best alive agent of that type, so choosing a host need not look at every host: a
/// host's score with any demand is at most that share (see ``Planner/bestHost``).
///
/// Built once with its ``PlacementSnapshot`` and never changed: claims made during a decision
/// are the planner's, which evaluates the hosts they touch apart from the ranking.
struct HostIndex: Sendable {
    /// A host (by its position) and the largest free share among its alive agents of
    /// one type, as the snapshot's claims leave them.
    struct Ranked: Sendable {
        let position: Int
        var share: Double
    }

    /// Every host with an agent, in id order (ties between equally good hosts go to the first).
    let hosts: [ObjectID]
    /// A host's position: its place in ``agentsByHost``, in the order hosts were first seen.
    private let positions: [ObjectID: Int]
    /// By position: the host's agents, in id order. One flat array per host rather than a
    /// dictionary per host keeps building this cheap (it is built once per spec).
    private let agentsByHost: [[RegisteredAgent]]
    /// By position: the host's place in ``hosts``, which breaks ties.
    let rank: [Int]
    /// Per type: the hosts with an alive agent of it, largest share first, then in host order.
    private let rankings: [ObjectType: [Ranked]]

    init(_ agents: some Sequence<RegisteredAgent>) {
        var positions: [ObjectID: Int] = [:]
        var agentsByHost: [[RegisteredAgent]] = []
        for agent in agents {
            if let position = positions[agent.hostID] {
                agentsByHost[position].append(agent)
            } else {
                positions[agent.hostID] = agentsByHost.count
                agentsByHost.append([agent])
            }
        }
        for position in agentsByHost.indices { agentsByHost[position].sort { $0.id < $1.id } }
        let ids = agentsByHost.map { $0[0].hostID }
        let order = ids.indices.sorted { ids[$0] < ids[$1] }
        var rank = [Int](repeating: 0, count: order.count)
        for (place, position) in order.enumerated() { rank[position] = place }
        // Per type as found, by a linear search over the few types: comparing enum cases is
        // cheaper than hashing a type's name for every agent.
        var types: [ObjectType] = []
        var lists: [[Ranked]] = []
        for (position, hostAgents) in agentsByHost.enumerated() {
            for agent in hostAgents where agent.alive {
                let share = agent.free.share(of: agent.capacity)
                guard let slot = types.firstIndex(of: agent.type) else {
                    types.append(agent.type)
                    lists.append([Ranked(position: position, share: share)])
                    continue
                }
                // A type's last entry is this host's once one of its agents of that type was seen.
                if let last = lists[slot].last, last.position == position {
                    lists[slot][lists[slot].count - 1].share = max(last.share, share)
                } else {
                    lists[slot].append(Ranked(position: position, share: share))
                }
            }
        }
        let rankings = Dictionary(uniqueKeysWithValues: zip(types, lists))
        hosts = order.map { ids[$0] }
        self.positions = positions
        self.agentsByHost = agentsByHost
        self.rank = rank
        self.rankings = rankings.mapValues { ranked in
            ranked.sorted { $0.share != $1.share ? $0.share > $1.share : rank[$0.position] < rank[$1.position] }
        }
    }

    /// The agents of `type` on `host`, in id order.
    func agents(of type: ObjectType, on host: ObjectID) -> LazyFilterSequence<[RegisteredAgent]> {
        (positions[host].map { agentsByHost[$0] } ?? []).lazy.filter { $0.type == type }
    }

    /// The agents of `type` at `position`, in id order.
    func agents(of type: ObjectType, at position: Int) -> LazyFilterSequence<[RegisteredAgent]> {
        agentsByHost[position].lazy.filter { $0.type == type }
    }

    /// The position of `host`.
    func position(of host: ObjectID) -> Int? {
        positions[host]
    }

    /// The hosts with an alive agent of `type`, largest free share first.
    func ranking(of type: ObjectType) -> [Ranked] {
        rankings[type] ?? []
    }
}
