import Messages

/// Where each object of a spec goes: a pure function of the request and a snapshot of agents
/// and claims, so every rule is unit-tested and benchmarked without I/O.
///
/// The rules:
/// - a VM goes to an `agent/compute/kvm`, a volume to an `agent/volumer/file`, a NIC to the
///   `agent/porter/vlan` on its VM's host, a network to the porter of every host that has one of
///   its NICs (one porter anywhere when it has none yet), leaving a host when its last NIC
///   there goes (unless that host's porter serves its DHCP);
/// - a network on several hosts has one DHCP server, the porter it was on first (the one that
///   keeps its reservations); a NIC on another host is also sent to that porter, which serves
///   its fixed address across the overlay;
/// - a VM, its volumes and its NICs share a host (a file volume is local to its host), and with
///   `same_host` the whole spec does; `host_id` pins the spec to one host; with `different_host`
///   each VM of the spec goes to a host that none of the spec's other VMs is on;
/// - only alive agents, never an avoided one, and only where the free capacity (reported minus
///   claimed) holds the objects; among the hosts that fit, the one left with the largest share of
///   free capacity wins, which spreads objects across hosts;
/// - objects already placed stay where they are (a later version changes them in place) unless
///   they are being rescheduled; removed objects go to the agents they are on and release their
///   claims;
/// - a spec is placed whole or not at all: if anything cannot be placed, nothing is, and every
///   object gets a reason.
public enum Placement {
    public static func place(_ request: PlacementRequest, in snapshot: PlacementSnapshot) -> Result<PlacementPlan, PlacementFailure> {
        var planner = Planner(request: request, snapshot: snapshot)
        return planner.run()
    }
}

/// One placement decision in progress.
private struct Planner {
    let request: PlacementRequest
    let snapshot: PlacementSnapshot
    /// Every object by id: the request's, and the related ones it does not carry.
    let objects: [ObjectID: Object]
    let requestIDs: Set<ObjectID>
    /// What each agent has promised where this decision changed it (elsewhere, the snapshot's
    /// figure): the objects of the request give back what they held, then claim again where
    /// they land. Only these agents are kept, so a decision costs nothing per agent it leaves.
    var claimChanges: [ObjectID: Resources] = [:]
    /// The hosts of the agents in ``claimChanges``: ``HostIndex``'s ranking does not hold there.
    var changedHosts: Set<ObjectID> = []
    var plan = PlacementPlan()
    var reasons: [ObjectID: String] = [:]
    var distinctReasons: [String] = []

    init(request: PlacementRequest, snapshot: PlacementSnapshot) {
        self.request = request
        self.snapshot = snapshot
        var objects = request.related
        for object in request.objects {
            if let id = object.id { objects[id] = object }
        }
        self.objects = objects
        requestIDs = Set(request.objects.compactMap(\.id))
        for id in requestIDs {
            if let claim = request.claims[id] { addClaim(.zero - claim.resources, on: claim.agentID) }
        }
    }

    var constraints: SchedulingConstraints { request.constraints }
    var index: HostIndex { snapshot.index }

    /// What `agentID` has promised, as this decision goes.
    func claimed(_ agentID: ObjectID) -> Resources {
        claimChanges[agentID] ?? snapshot.agents[agentID]?.claimed ?? .zero
    }

    mutating func addClaim(_ resources: Resources, on agentID: ObjectID) {
        claimChanges[agentID] = claimed(agentID) + resources
        if let host = snapshot.agents[agentID]?.hostID { changedHosts.insert(host) }
    }

    mutating func run() -> Result<PlacementPlan, PlacementFailure> {
        var toPlace: [ObjectID] = []
        var kept: [ObjectID] = []
        var networks: [ObjectID] = []
        var removed: [ObjectID] = []
        for object in request.objects {
            guard let id = object.id, let type = object.type else { continue }
            if type.isAgent {
                fail(id, PlacementReason.notSchedulable(type))
                continue
            }
            if object.demand.hasNegative {
                fail(id, PlacementReason.negativeDemand(object.demand))
                continue
            }
            let missing = relations(of: object).first { objects[$0] == nil }
            if let missing {
                fail(id, PlacementReason.unknownDependency(missing))
                continue
            }
            if object.isBeingRemoved {
                remove(id)
                removed.append(id)
            } else if type == .networkVLAN {
                networks.append(id)
            } else if !constraints.rescheduling, let agents = request.current[id], !agents.isEmpty {
                keep(object, on: agents)
                kept.append(id)
            } else {
                toPlace.append(id)
            }
        }
        placeGroups(toPlace: toPlace, kept: kept)
        // A removed NIC's network may leave the NIC's host.
        placeNetworks(networks, nics: toPlace + kept + removed)
        guard distinctReasons.isEmpty else { return .failure(failure()) }
        let order = Dictionary(request.objects.enumerated().compactMap { index, object in object.id.map { ($0, index) } },
                               uniquingKeysWith: { first, _ in first })
        plan.assignments = plan.assignments.enumerated().sorted { a, b in
            let (orderA, orderB) = (order[a.element.objectID] ?? Int.max, order[b.element.objectID] ?? Int.max)
            return orderA != orderB ? orderA < orderB : a.offset < b.offset
        }.map(\.element)
        return .success(plan)
    }

    // MARK: - Objects that do not move

    /// A removed object goes to every agent it is on, and gives its claim back.
    mutating func remove(_ id: ObjectID) {
        let agents = request.current[id] ?? []
        if request.claims[id] != nil { plan.released.append(id) }
        guard !agents.isEmpty else {
            plan.nothingToDo.append(id)
            return
        }
        assign(id, to: agents, sending: agents)
    }

    /// A placed object stays on its agent; its claim follows its size, which must still fit if
    /// it grew.
    mutating func keep(_ object: Object, on agents: [ObjectID]) {
        guard let id = object.id else { return }
        assign(id, to: agents, sending: agents)
        let demand = object.demand
        guard !demand.isZero, let agentID = agents.first else { return }
        addClaim(demand, on: agentID)
        plan.claims[id] = ObjectClaim(agentID: agentID, resources: demand)
        let before = request.claims[id].flatMap { $0.agentID == agentID ? $0.resources : nil } ?? .zero
        if !demand.fits(in: before), let agent = snapshot.agents[agentID],
           !claimed(agentID).fits(in: agent.capacity) {
            let free = agent.capacity - claimed(agentID) + demand
            fail(id, PlacementReason.cannotGrow(object, agent: agent, free: free))
        }
    }

    // MARK: - VMs, volumes, NICs

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

    // MARK: - Networks

    /// Brings each network to the porter of every host with one of its NICs: the request's
    /// networks, and networks of other specs that a NIC placed now needs on a new host.
    mutating func placeNetworks(_ requested: [ObjectID], nics placedNICs: [ObjectID]) {
        var networks = requested
        for nic in placedNICs where objects[nic]?.type == .nic {
            for network in networksOf(nic) where !networks.contains(network) && objects[network]?.isBeingRemoved == false {
                networks.append(network)
            }
        }
        guard !networks.isEmpty else { return }
        var nicsByNetwork: [ObjectID: [ObjectID]] = [:]
        for (id, object) in objects where object.type == .nic && !object.isBeingRemoved {
            for network in networksOf(id) { nicsByNetwork[network, default: []].append(id) }
        }
        let specHost = constraints.sameHost ? spreadHost() : nil
        for id in networks {
            guard let network = objects[id] else { continue }
            // Its NICs could not be placed: it waits on their reason rather than adding its own.
            if (nicsByNetwork[id] ?? []).contains(where: { reasons[$0] != nil }) { continue }
            let inRequest = requestIDs.contains(id)
            let moving = inRequest && constraints.rescheduling
            let current = request.current[id] ?? []
            let keepable = moving ? current.filter { !constraints.avoidAgents.contains($0) } : current
            // It goes where its NICs are: a host it was on counts only while one of its NICs
            // stays there, or while its porter there serves the network's DHCP; the porter left
            // behind gets a removal of its part. Without the graph's NICs of the network (a
            // caller that did not load them), every host it is on counts.
            var needed = Set<ObjectID>()
            if !moving, let ports = request.networkPorts[id] {
                for (nic, agents) in ports where objects[nic] == nil {
                    needed.formUnion(agents.compactMap { snapshot.agents[$0]?.hostID })
                }
                if let server = request.dhcpServers[id], current.contains(server), let host = snapshot.agents[server]?.hostID {
                    needed.insert(host)
                }
            } else if !moving {
                needed = Set(current.compactMap { snapshot.agents[$0]?.hostID })
            }
            var nicsOnHost: [ObjectID: [ObjectID]] = [:]
            for nic in nicsByNetwork[id] ?? [] {
                for host in hosts(ofPlaced: nic) {
                    needed.insert(host)
                    nicsOnHost[host, default: []].append(nic)
                }
            }
            // No NIC anywhere: it stays where it is.
            if needed.isEmpty && !moving { needed = Set(current.compactMap { snapshot.agents[$0]?.hostID }) }
            var targets = keepable.filter { snapshot.agents[$0] == nil }
            for host in needed.sorted() {
                if let agent = keepable.first(where: { snapshot.agents[$0]?.hostID == host }) {
                    targets.append(agent)
                } else if let (agent, _) = bestAgent(.agentPorterVLAN, on: host, demand: .zero) {
                    targets.append(agent.id)
                } else {
                    let avoided = constraints.avoidAgents.filter {
                        snapshot.agents[$0]?.hostID == host && snapshot.agents[$0]?.type == .agentPorterVLAN
                    }
                    let reason = PlacementReason.noPorterForNetwork(network, host: host, avoided: Array(avoided))
                    if inRequest { fail(id, reason) }
                    for nic in nicsOnHost[host] ?? [] where requestIDs.contains(nic) { fail(nic, reason) }
                }
            }
            if targets.isEmpty && needed.isEmpty {
                guard inRequest else { continue }
                // No NIC yet: one porter, on the spec's host when it has one.
                let host = constraints.hostID ?? specHost
                let candidates = host.map { [$0] } ?? index.hosts
                let porters = candidates.compactMap { bestAgent(.agentPorterVLAN, on: $0, demand: .zero)?.0 }
                guard !porters.isEmpty else {
                    let avoided = constraints.avoidAgents.filter {
                        snapshot.agents[$0]?.type == .agentPorterVLAN && (host == nil || snapshot.agents[$0]?.hostID == host)
                    }
                    fail(id, PlacementReason.noAgent(.agentPorterVLAN, demand: .zero, host: host, avoided: Array(avoided), mostFree: nil))
                    continue
                }
                // Spread networks without NICs by their id rather than piling them on the first porter.
                let pick = id.uuid.uuid.15 ^ id.uuid.uuid.14
                targets = [porters[Int(pick) % porters.count].id]
            }
            let new = targets.filter { !current.contains($0) }
            let lost = current.filter { !targets.contains($0) }
            let server = targets.count > 1 ? dhcpServer(of: id, among: targets, current: keepable) : nil
            let serverChanged = server != nil && server != request.dhcpServers[id]
            if let server {
                plan.dhcpServers[id] = server
                sendReservations(of: id, to: server, nics: nicsByNetwork[id] ?? [])
            }
            guard inRequest || !new.isEmpty || !lost.isEmpty || serverChanged else { continue }
            // Its own Request goes to every target, a porter it stays on included (that porter may
            // be the one it failed on: a silence or a missed deadline is not held against it);
            // a network of another spec reaches the porters it gains, and all of them when it
            // spans several hosts or leaves one, since each porter's overlay peers changed.
            assign(id, to: targets, sending: inRequest || server != nil || !lost.isEmpty ? targets : new)
        }
    }

    /// The porter that serves DHCP for a network on several hosts: the one it has, while it stays
    /// among `targets`; else the porter it was on (which keeps its NICs' reservations); else the
    /// first target.
    func dhcpServer(of network: ObjectID, among targets: [ObjectID], current: [ObjectID]) -> ObjectID {
        if let server = request.dhcpServers[network], targets.contains(server) { return server }
        return current.first(where: targets.contains) ?? targets[0]
    }

    /// Adds the network's DHCP server to the agents of each of its NICs placed elsewhere in this
    /// decision, so that porter keeps the NIC's reservation; a NIC of this request is sent there.
    mutating func sendReservations(of network: ObjectID, to server: ObjectID, nics: [ObjectID]) {
        guard let serverHost = snapshot.agents[server]?.hostID else { return }
        for nic in nics {
            guard var agents = plan.placements[nic], !agents.contains(server),
                  agents.contains(where: { snapshot.agents[$0]?.hostID != serverHost }) else { continue }
            agents.append(server)
            plan.placements[nic] = agents
            if requestIDs.contains(nic) {
                plan.assignments.append(PlacementPlan.Assignment(objectID: nic, agentID: server))
            }
        }
    }

    /// The agents that hold `id` on its own host: for a NIC also on its network's DHCP server
    /// (for its reservation), the others.
    func hostingAgents(of id: ObjectID, _ agents: [ObjectID]) -> [ObjectID] {
        guard agents.count > 1, objects[id]?.type == .nic else { return agents }
        let servers = Set(networksOf(id).compactMap { plan.dhcpServers[$0] ?? request.dhcpServers[$0] })
        let local = agents.filter { !servers.contains($0) }
        return local.isEmpty ? agents : local
    }

    /// The networks a NIC is on.
    func networksOf(_ nic: ObjectID) -> [ObjectID] {
        objects[nic]?.dependencies(relation: Relation.portNetwork).compactMap(\.object.id) ?? []
    }

    /// Under `same_host`, the host the spec's placed objects share.
    func spreadHost() -> ObjectID? {
        for object in request.objects {
            guard let id = object.id, object.type != .networkVLAN, let host = hosts(ofPlaced: id).first else { continue }
            return host
        }
        for id in request.siblings.sorted() where objects[id]?.type != .networkVLAN {
            if let host = hosts(ofCurrent: id).first { return host }
        }
        return nil
    }

    // MARK: - Bookkeeping

    /// The hosts of the agents `id` is on now (before this decision).
    func hosts(ofCurrent id: ObjectID) -> [ObjectID] {
        hostingAgents(of: id, request.current[id] ?? []).compactMap { snapshot.agents[$0]?.hostID }
    }

    /// The hosts `id` is on after this decision so far (or now, when this decision leaves it).
    func hosts(ofPlaced id: ObjectID) -> [ObjectID] {
        if let placed = plan.placements[id] { return hostingAgents(of: id, placed).compactMap { snapshot.agents[$0]?.hostID } }
        if requestIDs.contains(id) && objects[id]?.type != .networkVLAN { return [] }
        return hosts(ofCurrent: id)
    }

    /// The ids an object depends on through a resource relation (never its `scheduled` agent).
    func relations(of object: Object) -> [ObjectID] {
        (object.dependencies ?? []).filter { $0.property.relation != Relation.scheduled }.compactMap(\.object.id)
    }

    mutating func assign(_ id: ObjectID, to agents: [ObjectID], sending: [ObjectID]) {
        plan.placements[id] = agents
        for agent in sending { plan.assignments.append(PlacementPlan.Assignment(objectID: id, agentID: agent)) }
    }

    mutating func fail(_ id: ObjectID, _ reason: String) {
        if reasons[id] == nil { reasons[id] = reason }
        if !distinctReasons.contains(reason) { distinctReasons.append(reason) }
    }

    mutating func failAll(_ ids: [ObjectID], _ reason: String) {
        for id in ids { fail(id, reason) }
    }

    func failure() -> PlacementFailure {
        let summary = distinctReasons.joined(separator: "; ")
        var all: [ObjectID: String] = [:]
        for object in request.objects {
            guard let id = object.id else { continue }
            all[id] = reasons[id] ?? PlacementReason.blocked(by: summary)
        }
        return PlacementFailure(reasons: all, summary: summary)
    }
}
