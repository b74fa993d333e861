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

/// One placement decision in progress (`Planner+Groups.swift` places VMs with their volumes and
/// NICs, `Planner+Networks.swift` the networks).
struct Planner {
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
