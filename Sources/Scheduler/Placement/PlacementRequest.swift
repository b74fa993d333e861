import Messages

/// Everything one placement decision looks at besides the agents: the objects to schedule,
/// what they relate to, and where things are already.
///
/// Built by the service from a `Spec` message and the graph; placement itself reads nothing
/// else, so it is a pure function of this and a ``PlacementSnapshot``.
public struct PlacementRequest: Sendable, Hashable {
    public var specID: Int64
    /// The objects to schedule now, as the `Spec` message lists them (full objects, their
    /// dependencies by id).
    public var objects: [Object]
    /// The objects those relate to that the message does not carry, by id: the rest of the
    /// spec and resources of other specs referenced by id, as the graph holds them.
    public var related: [ObjectID: Object]
    /// Which of ``related`` belong to the same spec (they share a host under `same_host`).
    public var siblings: Set<ObjectID>
    /// The agents each object is scheduled on now (the graph's `scheduled` edges).
    public var current: [ObjectID: [ObjectID]]
    /// The claims objects hold now.
    public var claims: [ObjectID: ObjectClaim]
    /// The porter that serves each network's DHCP now, for networks on several hosts (the
    /// graph's ``Relation/networkDHCPServer`` edges).
    public var dhcpServers: [ObjectID: ObjectID]
    /// For each network of the decision, its NICs in the graph (of any spec, not being removed)
    /// and the agents each is on: a network keeps the hosts of the NICs the decision does not
    /// carry.
    public var networkPorts: [ObjectID: [ObjectID: [ObjectID]]]
    public var constraints: SchedulingConstraints

    public init(
        specID: Int64, objects: [Object], related: [ObjectID: Object] = [:], siblings: Set<ObjectID> = [],
        current: [ObjectID: [ObjectID]] = [:], claims: [ObjectID: ObjectClaim] = [:],
        dhcpServers: [ObjectID: ObjectID] = [:], networkPorts: [ObjectID: [ObjectID: [ObjectID]]] = [:],
        constraints: SchedulingConstraints = SchedulingConstraints()
    ) {
        self.specID = specID
        self.objects = objects
        self.related = related
        self.siblings = siblings
        self.current = current
        self.claims = claims
        self.dhcpServers = dhcpServers
        self.networkPorts = networkPorts
        self.constraints = constraints
    }
}

/// A claim as placement sees it: which agent, how much.
public struct ObjectClaim: Sendable, Hashable {
    public var agentID: ObjectID
    public var resources: Resources

    public init(agentID: ObjectID, resources: Resources) {
        self.agentID = agentID
        self.resources = resources
    }
}

/// The agents placement may choose from (the alive ones, filtered by the spec's host when it is
/// pinned) and the agents objects are already on (alive or not), with their claims.
public struct PlacementSnapshot: Sendable, Hashable {
    private var byID: [ObjectID: RegisteredAgent]
    /// Built with the snapshot, so a decision only queries it; kept up to date by
    /// ``setClaimed(_:)``, built again when ``agents`` is set.
    private(set) var index: HostIndex

    public var agents: [ObjectID: RegisteredAgent] {
        get { byID }
        set {
            byID = newValue
            index = HostIndex(newValue.values)
        }
    }

    public init(agents: [RegisteredAgent]) {
        byID = Dictionary(agents.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        index = HostIndex(byID.values)
    }

    /// Gives agents the claims the database has for them now, updating the index in place
    /// (a snapshot kept between specs: only the agents whose claims changed are touched).
    /// Agents it does not hold are skipped.
    public mutating func setClaimed(_ claimed: [ObjectID: Resources]) {
        for (id, resources) in claimed {
            guard let agent = byID[id], agent.claimed != resources,
                  let updated = index.updateClaimed(id, host: agent.hostID, to: resources) else { continue }
            byID[id] = updated
        }
    }

    /// Gives every agent the claims `claimed` says it has now, touching the index only for the
    /// agents whose claims changed: one pass over the agents, no new index.
    public mutating func refreshClaims(_ claimed: (ObjectID) -> Resources) {
        var changed: [ObjectID: Resources] = [:]
        for (id, agent) in byID {
            let now = claimed(id)
            if now != agent.claimed { changed[id] = now }
        }
        setClaimed(changed)
    }

    /// The index follows from the agents.
    public static func == (a: PlacementSnapshot, b: PlacementSnapshot) -> Bool {
        a.agents == b.agents
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(agents)
    }
}
