import AgentRuntime
import Messages

/// Where a network is beside this host, as the scheduler's `Request` says: the porters of the
/// other hosts that hold its NICs (``Relation/networkPeer``) and the one porter that serves its
/// DHCP (``Relation/networkDHCPServer``). A network without either is on this host only, and
/// this porter serves its DHCP, as on a single hypervisor.
struct NetworkSpan: Sendable, Hashable {
    struct Peer: Sendable, Hashable {
        var agentID: ObjectID?
        /// Its host's underlay address, from its heartbeat; nil when its porter has no overlay.
        var address: IPv4Address?
    }

    var peers: [Peer]
    /// Whether this porter runs the network's dnsmasq; the others carry its L2 only, so no two
    /// DHCP servers answer on one network.
    var servesDHCP: Bool

    init(peers: [Peer] = [], servesDHCP: Bool = true) {
        self.peers = peers
        self.servesDHCP = servesDHCP
    }

    /// Reads the span from `network`'s dependencies; `network`'s own `scheduled` agent is this
    /// porter.
    init(_ network: Object) {
        let dependencies = network.dependencies ?? []
        peers = dependencies.filter { $0.property.relation == Relation.networkPeer }.map { peer in
            Peer(agentID: peer.object.id, address: peer.object.ipAddresses?.lazy.compactMap { IPv4Address($0) }.first)
        }
        let server = dependencies.first { $0.property.relation == Relation.networkDHCPServer }?.object.id
        servesDHCP = server == nil || server == network.scheduledAgent?.id
    }

    /// The underlay addresses to copy broadcast to.
    /// - Throws: ``AgentFailure`` naming a peer whose porter announced no underlay address.
    func unicastPeers(of network: ObjectID) throws -> [IPv4Address] {
        try peers.map { peer in
            guard let address = peer.address else {
                throw AgentFailure("network \(network) spans the host of porter \(peer.agentID?.description ?? "?"), which "
                    + "announced no underlay address; set porter.vxlan_local (N0CORE_PORTER_VXLAN_LOCAL) on that porter too, "
                    + "since every porter of a VXLAN deployment must have one")
            }
            return address
        }
    }
}
