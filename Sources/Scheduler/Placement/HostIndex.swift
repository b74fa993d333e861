import Messages

/// The snapshot's agents by host and type, and for each type the hosts ranked by the free share
/// of their best alive agent of that type, so choosing a host need not look at every host: a
/// host's score with a demand is at most that share, less what the demand takes off it at
/// least (``Ranking/reduction(by:)``).
///
/// Built with its ``PlacementSnapshot``; claims made during a decision are the planner's, which
/// evaluates the hosts they touch apart from the ranking. Between decisions, an agent's claims
/// as the database has them now move only its host within its type's ranking
/// (``updateClaimed(_:host:to:)``), so a snapshot kept between specs is not built again.
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
    private var agentsByHost: [[RegisteredAgent]]
    /// By position: the host's place in ``hosts``, which breaks ties.
    let rank: [Int]
    /// Per type: the hosts with an alive agent of it, largest share first, then in host order.
    private var rankings: [ObjectType: Ranking]

    /// One type's ranked hosts, and what bounds how much a demand lowers their shares.
    struct Ranking: Sendable {
        var entries: [Ranked] = []
        /// The largest capacity of each figure among the ranked agents.
        var largestCapacity = Resources.zero
        /// Ranked agents whose share is 1 however much they have free (they report no figure, or
        /// hold more than their capacity free): a demand need not lower their share.
        var agentsAtCap = 0
        var demandLowersShares: Bool { agentsAtCap == 0 }

        /// How much a demand lowers the share of every ranked agent at least: that agent's
        /// smallest figure drops by the demand's share of it, which is at least the demand's
        /// smallest share of the largest capacity. Less a margin for rounding, so the bound never
        /// cuts off a host whose score only rounding sets apart.
        func reduction(by demand: Resources) -> Double {
            guard demandLowersShares else { return 0 }
            var reduction = Double.infinity
            if largestCapacity.vcpus > 0 { reduction = min(reduction, Double(demand.vcpus) / Double(largestCapacity.vcpus)) }
            if largestCapacity.memoryBytes > 0 {
                reduction = min(reduction, Double(demand.memoryBytes) / Double(largestCapacity.memoryBytes))
            }
            if largestCapacity.diskBytes > 0 { reduction = min(reduction, Double(demand.diskBytes) / Double(largestCapacity.diskBytes)) }
            return reduction.isFinite ? max(0, reduction - 1e-9) : 0
        }
    }

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
        var lists: [Ranking] = []
        for (position, hostAgents) in agentsByHost.enumerated() {
            for agent in hostAgents where agent.alive {
                let share = agent.free.share(of: agent.capacity)
                let slot = types.firstIndex(of: agent.type) ?? {
                    types.append(agent.type)
                    lists.append(Ranking())
                    return types.count - 1
                }()
                lists[slot].largestCapacity = Resources(
                    vcpus: max(lists[slot].largestCapacity.vcpus, agent.capacity.vcpus),
                    memoryBytes: max(lists[slot].largestCapacity.memoryBytes, agent.capacity.memoryBytes),
                    diskBytes: max(lists[slot].largestCapacity.diskBytes, agent.capacity.diskBytes))
                if !Self.shareIsBelowCap(free: agent.free, capacity: agent.capacity) { lists[slot].agentsAtCap += 1 }
                // A type's last entry is this host's once one of its agents of that type was seen.
                if let last = lists[slot].entries.last, last.position == position {
                    lists[slot].entries[lists[slot].entries.count - 1].share = max(last.share, share)
                } else {
                    lists[slot].entries.append(Ranked(position: position, share: share))
                }
            }
        }
        let rankings = Dictionary(uniqueKeysWithValues: zip(types, lists))
        hosts = order.map { ids[$0] }
        self.positions = positions
        self.agentsByHost = agentsByHost
        self.rank = rank
        self.rankings = rankings.mapValues { ranking in
            var ranking = ranking
            ranking.entries.sort { $0.share != $1.share ? $0.share > $1.share : rank[$0.position] < rank[$1.position] }
            return ranking
        }
    }

    /// Gives the agent `id` on `host` the claims `claimed` and moves the host to its new place in
    /// the ranking of the agent's type: its entry is taken out and put back where a binary
    /// search ranks its new share, instead of the ranking being built and sorted again.
    /// The agent's host, type, capacity and liveness are as when the index was built. Returns
    /// the agent as it is now, or nil when the index does not hold it.
    @discardableResult
    mutating func updateClaimed(_ id: ObjectID, host: ObjectID, to claimed: Resources) -> RegisteredAgent? {
        guard let position = positions[host], let slot = agentsByHost[position].firstIndex(where: { $0.id == id }) else {
            return nil
        }
        let old = agentsByHost[position][slot]
        var agent = old
        agent.claimed = claimed
        agentsByHost[position][slot] = agent
        // Moved out of the dictionary, so changing its entries does not copy them.
        guard agent.alive, old.claimed != claimed, var ranking = rankings.removeValue(forKey: agent.type) else { return agent }
        ranking.agentsAtCap += (Self.shareIsBelowCap(free: agent.free, capacity: agent.capacity) ? 0 : 1)
            - (Self.shareIsBelowCap(free: old.free, capacity: old.capacity) ? 0 : 1)
        let share = agentsByHost[position].lazy.filter { $0.type == agent.type && $0.alive }
            .map { $0.free.share(of: $0.capacity) }.max() ?? 0
        if let at = ranking.entries.firstIndex(where: { $0.position == position }) { ranking.entries.remove(at: at) }
        let entry = Ranked(position: position, share: share)
        // The first entry the host goes before: largest share first, then host order.
        var low = 0, high = ranking.entries.count
        while low < high {
            let middle = (low + high) / 2
            let other = ranking.entries[middle]
            let before = entry.share != other.share ? entry.share > other.share : rank[position] < rank[other.position]
            if before { high = middle } else { low = middle + 1 }
        }
        ranking.entries.insert(entry, at: low)
        rankings[agent.type] = ranking
        return agent
    }

    /// True when some figure the agent reports has at most its capacity free: its share is
    /// that figure's fraction, not the cap of 1.
    private static func shareIsBelowCap(free: Resources, capacity: Resources) -> Bool {
        (capacity.vcpus > 0 && free.vcpus <= capacity.vcpus)
            || (capacity.memoryBytes > 0 && free.memoryBytes <= capacity.memoryBytes)
            || (capacity.diskBytes > 0 && free.diskBytes <= capacity.diskBytes)
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
    func ranking(of type: ObjectType) -> Ranking {
        rankings[type] ?? Ranking()
    }
}
