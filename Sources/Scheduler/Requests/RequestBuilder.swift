import Messages

/// Builds the `Request` for one object and one agent, in the seed's section 5.1 shape.
///
/// The object carries its dependencies whole, recursively, each with its own `scheduled`
/// dependency on its agent, so the agent knows what it waits for and whose `Notify` to expect;
/// the object itself carries a `scheduled` dependency on the agent it is sent to.
/// `depended_by` names the objects of the spec that depend on it directly, each with its agent,
/// so the agent sends its `Notify` to them too. Pure: everything comes in through the fields.
public struct RequestBuilder: Sendable {
    public var specID: Int64
    /// Every object a request may embed, in its current form (the message's objects, NICs with
    /// the MAC just assigned, other objects as the graph holds them).
    public var objects: [ObjectID: Object]
    /// The agents each object is on after placement.
    public var placements: [ObjectID: [ObjectID]]
    /// Each agent as requests embed it (type, id, state, host).
    public var agents: [ObjectID: Object]
    /// The objects of the spec: `depended_by` looks for dependents among these only.
    public var specMembers: Set<ObjectID>
    /// The porter that serves DHCP for each network on several hosts.
    public var dhcpServers: [ObjectID: ObjectID]

    public init(
        specID: Int64, objects: [ObjectID: Object], placements: [ObjectID: [ObjectID]],
        agents: [ObjectID: Object], specMembers: Set<ObjectID>, dhcpServers: [ObjectID: ObjectID] = [:]
    ) {
        self.specID = specID
        self.objects = objects
        self.placements = placements
        self.agents = agents
        self.specMembers = specMembers
        self.dhcpServers = dhcpServers
    }

    /// The request that asks `agentID` to bring `objectID` to its desired state; nil when the
    /// object is unknown.
    public func request(for objectID: ObjectID, to agentID: ObjectID) -> RequestMessage? {
        guard objects[objectID] != nil else { return nil }
        let host = agents[agentID]?.hostID
        var visiting = Set<ObjectID>()
        guard var object = embed(objectID, near: host, on: agentID, visiting: &visiting) else { return nil }
        if object.type == .networkVLAN {
            object.dependencies = (object.dependencies ?? []) + span(of: objectID, to: agentID)
        }
        return RequestMessage(specID: specID, object: object, dependedBy: dependents(of: objectID, near: host))
    }

    /// For a network on several hosts, what the porter `agentID` needs besides the network: the
    /// other porters (its overlay's peers, with their addresses) and the one that serves DHCP.
    func span(of network: ObjectID, to agentID: ObjectID) -> [Dependency] {
        let porters = placements[network] ?? []
        guard porters.count > 1 else { return [] }
        var span = porters.filter { $0 != agentID }.compactMap { agents[$0] }.map {
            Dependency(object: $0, property: DependencyProperty(relation: Relation.networkPeer))
        }
        if let server = dhcpServers[network].flatMap({ agents[$0] }) {
            span.append(Dependency(object: server, property: DependencyProperty(relation: Relation.networkDHCPServer)))
        }
        return span
    }

    /// The object with its dependencies embedded whole and its own `scheduled` agent: `agentID`
    /// when given, else the one of its agents on `host` (the same host's porter for a network
    /// on several hosts), else its first.
    func embed(_ id: ObjectID, near host: ObjectID?, on agentID: ObjectID? = nil, visiting: inout Set<ObjectID>) -> Object? {
        guard var object = objects[id] else { return nil }
        visiting.insert(id)
        defer { visiting.remove(id) }
        var dependencies: [Dependency] = []
        for dependency in object.dependencies ?? [] where dependency.property.relation != Relation.scheduled {
            var embedded = dependency
            if let target = dependency.object.id, !visiting.contains(target),
               let whole = embed(target, near: host, visiting: &visiting) {
                embedded.object = whole
            }
            dependencies.append(embedded)
        }
        if let agent = (agentID ?? agent(of: id, near: host)).flatMap({ agents[$0] }) {
            dependencies.append(.scheduled(on: agent))
        }
        object.dependencies = dependencies.isEmpty ? nil : dependencies
        return object
    }

    /// The objects of the spec that depend on `id` directly, each as type, id and `scheduled`
    /// agent. For an object on several hosts (a network), only those on `host`: the others hear
    /// from the porter on their own host.
    func dependents(of id: ObjectID, near host: ObjectID?) -> [Object] {
        let onSeveralHosts = (placements[id]?.count ?? 0) > 1
        var result: [Object] = []
        for memberID in specMembers.sorted() {
            guard let member = objects[memberID], !member.isBeingRemoved,
                  (member.dependencies ?? []).contains(where: {
                      $0.property.relation != Relation.scheduled && $0.object.id == id
                  }),
                  let agentID = agent(of: memberID, near: host), let agent = agents[agentID]
            else { continue }
            if onSeveralHosts, let host, agent.hostID != host { continue }
            result.append(Object(type: member.type, id: memberID, dependencies: [.scheduled(on: agent)]))
        }
        return result
    }

    func agent(of id: ObjectID, near host: ObjectID?) -> ObjectID? {
        let candidates = placements[id] ?? []
        if let host, let local = candidates.first(where: { agents[$0]?.hostID == host }) { return local }
        return candidates.first
    }
}
