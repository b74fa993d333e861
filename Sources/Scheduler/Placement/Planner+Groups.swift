import Messages

extension Planner {
    /// Groups the objects that must share a host, then places each group that has something new.
    mutating func placeGroups(toPlace: [ObjectID], kept: [ObjectID]) {
        guard !toPlace.isEmpty else { return }
        let placing = Set(toPlace)
        var participants = toPlace + kept
        for (id, object) in request.related.sorted(by: { $0.key < $1.key })
        where object.type != .networkVLAN && !object.isBeingRemoved && !(request.current[id] ?? []).isEmpty {
            participants.append(id)
        }
        let members = Set(participants)
        var sets = UnionFind<ObjectID>()
        for id in participants {
            sets.insert(id)
            guard let object = objects[id] else { continue }
            for dependency in object.dependencies(relation: Relation.vmAttachments) {
                if let target = dependency.object.id, members.contains(target) { sets.union(id, target) }
            }
        }
        if constraints.sameHost {
            let spec = participants.filter { requestIDs.contains($0) || request.siblings.contains($0) }
            for id in spec.dropFirst() { sets.union(spec[0], id) }
        }
        var groups: [ObjectID: [ObjectID]] = [:]
        var roots: [ObjectID] = []
        for id in participants {
            let root = sets.root(id)
            if groups[root] == nil { roots.append(root) }
            groups[root, default: []].append(id)
        }
        let specVMs = participants.filter(isSpecVM)
        // Under different_host, the hosts each group's VMs are on: first where they stay, then
        // where this decision puts them.
        var vmHosts: [ObjectID: Set<ObjectID>] = [:]
        if constraints.differentHost {
            for id in specVMs where !placing.contains(id) {
                vmHosts[sets.root(id), default: []].formUnion(hosts(ofCurrent: id))
            }
        }
        for root in roots {
            let group = groups[root] ?? []
            let new = group.filter { placing.contains($0) }
            guard !new.isEmpty else { continue }
            let anchors = Set(group.filter { !placing.contains($0) }.flatMap { hosts(ofCurrent: $0) })
            var apart: Apart?
            if constraints.differentHost, new.contains(where: isSpecVM) {
                let vms = group.filter(isSpecVM)
                if vms.count > 1 {
                    failAll(new, PlacementReason.differentHostJoined(vms.compactMap { objects[$0] }))
                    continue
                }
                let taken = vmHosts.filter { $0.key != root }.values.reduce(into: Set<ObjectID>()) { $0.formUnion($1) }
                apart = Apart(taken: taken, vms: specVMs.count)
            }
            placeGroup(new, anchors: anchors, apart: apart)
            if apart != nil { vmHosts[root] = Set(group.filter(isSpecVM).flatMap { hosts(ofPlaced: $0) }) }
        }
    }

    /// A VM of the spec (the request's or a sibling), which `different_host` keeps apart.
    func isSpecVM(_ id: ObjectID) -> Bool {
        objects[id]?.type == .vmKVM && (requestIDs.contains(id) || request.siblings.contains(id))
    }

    /// Under `different_host`: the hosts a group with a new VM must not use (those of the
    /// spec's other VMs), and how many VMs the spec has, for the reason when no host is left.
    struct Apart {
        var taken: Set<ObjectID>
        var vms: Int
    }

    mutating func placeGroup(_ ids: [ObjectID], anchors: Set<ObjectID>, apart: Apart?) {
        if anchors.count > 1 {
            return failAll(ids, PlacementReason.conflictingHosts(anchors))
        }
        if let anchor = anchors.first, let pinned = constraints.hostID, anchor != pinned {
            return failAll(ids, PlacementReason.pinnedElsewhere(anchor: anchor, pinned: pinned))
        }
        let target = anchors.first ?? constraints.hostID
        var demand: [ObjectType: Resources] = [:]
        for id in ids {
            guard let object = objects[id], let agentType = object.type?.servingAgent else { continue }
            demand[agentType, default: .zero] += object.demand
        }
        let needs = [ObjectType.agentComputeKVM, .agentVolumerFile, .agentPorterVLAN].compactMap { type in
            demand[type].map { (type: type, demand: $0) }
        }
        switch chooseHost(needs, target: target, apart: apart) {
        case .failure(let reason):
            failAll(ids, reason.message)
        case .success(let chosen):
            for id in ids {
                guard let object = objects[id], let agentType = object.type?.servingAgent,
                      let agent = chosen[agentType] else { continue }
                assign(id, to: [agent.id], sending: [agent.id])
                let demand = object.demand
                if !demand.isZero {
                    addClaim(demand, on: agent.id)
                    plan.claims[id] = ObjectClaim(agentID: agent.id, resources: demand)
                }
            }
        }
    }

    struct NoHost: Error { let message: String }

    typealias Need = (type: ObjectType, demand: Resources)

    /// The host whose chosen agents are left with the largest share of free capacity (the first
    /// in id order among equals), and those agents; `target` restricts the search to one host,
    /// and a host `apart` names as taken is never considered.
    func chooseHost(_ needs: [Need], target: ObjectID?, apart: Apart?) -> Result<[ObjectType: RegisteredAgent], NoHost> {
        let taken = apart?.taken ?? []
        let best: [ObjectType: RegisteredAgent]? = if let target {
            taken.contains(target) ? nil : index.position(of: target).flatMap { score(needs, at: $0)?.agents }
        } else if needs.isEmpty {
            // Anywhere will do: the first host, as among equals.
            index.hosts.contains { !taken.contains($0) } ? [:] : nil
        } else {
            bestHost(needs, excluding: taken)
        }
        if let best { return .success(best) }
        let candidates = target.map { [$0] } ?? index.hosts
        // Only the spec's other VMs stand in the way: say so rather than blame capacity.
        if let apart, candidates.contains(where: { host in
            taken.contains(host) && index.position(of: host).flatMap { score(needs, at: $0) } != nil
        }) {
            let held = candidates.filter { taken.contains($0) }.count
            return .failure(NoHost(message: PlacementReason.differentHost(vms: apart.vms, hosts: held, pinned: target)))
        }
        return .failure(NoHost(message: diagnose(needs, candidates: candidates, target: target)))
    }

    /// The best host for `needs` without looking at every host: the hosts whose claims this
    /// decision changed or with an avoided agent are scored apart; the others are read down
    /// each need's ranking together, and reading stops once the smallest share at the current
    /// depth, less what the need's demand takes off it at least, is below the best score found:
    /// no host further down can score higher. Ties keep the host order. `taken` hosts are
    /// never scored.
    func bestHost(_ needs: [Need], excluding taken: Set<ObjectID>) -> [ObjectType: RegisteredAgent]? {
        var best: (score: Double, rank: Int, agents: [ObjectType: RegisteredAgent])?
        func consider(_ position: Int) {
            guard let (score, agents) = score(needs, at: position) else { return }
            let rank = index.rank[position]
            if best == nil || score > best!.score || (score == best!.score && rank < best!.rank) {
                best = (score, rank, agents)
            }
        }
        let avoidedHosts = constraints.avoidAgents.compactMap { snapshot.agents[$0]?.hostID }
        var seen = Set(changedHosts.union(avoidedHosts).subtracting(taken).compactMap(index.position(of:)))
        for position in seen { consider(position) }
        seen.formUnion(taken.compactMap(index.position(of:)))
        let rankings = needs.map { need in
            let ranking = index.ranking(of: need.type)
            return (entries: ranking.entries, reduction: ranking.reduction(by: need.demand))
        }
        depths: for depth in 0... {
            var threshold = Double.infinity
            for ranking in rankings {
                // Every host that has this kind of agent has been read: no other can take the group.
                guard depth < ranking.entries.count else { break depths }
                let entry = ranking.entries[depth]
                threshold = min(threshold, entry.share - ranking.reduction)
                if seen.insert(entry.position).inserted { consider(entry.position) }
            }
            if let best, threshold < best.score { break }
        }
        return best?.agents
    }

    /// How well the host at `position` takes `needs` (the smallest share its chosen agents are
    /// left with) and those agents, or nil when it lacks one.
    func score(_ needs: [Need], at position: Int) -> (score: Double, agents: [ObjectType: RegisteredAgent])? {
        var chosen: [ObjectType: RegisteredAgent] = [:]
        var score = Double.infinity
        for need in needs {
            guard let (agent, agentScore) = bestAgent(need.type, at: position, demand: need.demand) else { return nil }
            chosen[need.type] = agent
            score = min(score, agentScore)
        }
        return (score, chosen)
    }

    /// Why no host fits: the first kind of agent that no candidate host has with enough free,
    /// or, when each kind exists somewhere, that none has them all.
    func diagnose(_ needs: [Need], candidates: [ObjectID], target: ObjectID?) -> String {
        for need in needs where !candidates.contains(where: { bestAgent(need.type, on: $0, demand: need.demand) != nil }) {
            let avoided = constraints.avoidAgents.filter { id in
                guard let agent = snapshot.agents[id] else { return false }
                return agent.type == need.type && (target == nil || agent.hostID == target)
            }
            var mostFree: (score: Double, free: Resources)?
            if !need.demand.isZero {
                for host in candidates {
                    for agent in index.agents(of: need.type, on: host) where isEligible(agent) {
                        let free = free(agent)
                        let score = free.share(of: agent.capacity)
                        if mostFree == nil || score > mostFree!.score { mostFree = (score, free) }
                    }
                }
            }
            return PlacementReason.noAgent(need.type, demand: need.demand, host: target, avoided: Array(avoided),
                                           mostFree: mostFree?.free)
        }
        return PlacementReason.noCommonHost(needs, host: target)
    }

    /// The agent of `type` on `host` that takes `demand` and is left with the largest share
    /// free, with that share.
    func bestAgent(_ type: ObjectType, on host: ObjectID, demand: Resources) -> (RegisteredAgent, Double)? {
        index.position(of: host).flatMap { bestAgent(type, at: $0, demand: demand) }
    }

    func bestAgent(_ type: ObjectType, at position: Int, demand: Resources) -> (RegisteredAgent, Double)? {
        var best: (RegisteredAgent, Double)?
        for agent in index.agents(of: type, at: position) where isEligible(agent) {
            let free = free(agent)
            guard demand.fits(in: free) else { continue }
            let score = (free - demand).share(of: agent.capacity)
            if best == nil || score > best!.1 { best = (agent, score) }
        }
        return best
    }

    func isEligible(_ agent: RegisteredAgent) -> Bool {
        agent.alive && !constraints.avoidAgents.contains(agent.id)
    }

    func free(_ agent: RegisteredAgent) -> Resources {
        // The agent in hand carries the snapshot's figure: no second look-up by id.
        agent.capacity - (claimChanges[agent.id] ?? agent.claimed)
    }
}
