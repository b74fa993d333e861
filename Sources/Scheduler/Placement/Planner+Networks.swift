import Messages

extension Planner {
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
}
