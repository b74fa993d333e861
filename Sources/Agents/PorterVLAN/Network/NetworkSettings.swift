import AgentRuntime
import Messages

/// A `resource/network/vlan` checked and read into what the host needs: the bridge's name, the
/// 802.1Q tag, and per subnet its DHCP pool and options. Pure, so every refusal is unit-tested
/// and happens before anything on the host changes.
struct NetworkSettings: Sendable, Hashable {
    var id: ObjectID
    var bridge: String
    var vlanID: Int?
    var subnets: [SubnetSettings]
    /// The other hosts it is on, and whether this porter serves its DHCP.
    var span: NetworkSpan

    /// The subnets DHCP is served on.
    var dhcpSubnets: [(subnet: IPv4Subnet, dhcp: DHCPSettings)] {
        subnets.compactMap { settings in settings.dhcp.map { (settings.cidr, $0) } }
    }

    /// - Parameters:
    ///   - uplink: the porter's `porter.uplink`; with one, a network needs a VLAN id.
    ///   - vxlan: whether the porter joins hosts with VXLAN, whose VNI is the VLAN id, so a
    ///     network needs one too.
    /// - Throws: ``AgentFailure`` naming the field and what is wrong with it.
    init(_ network: Object, uplink: String?, vxlan: Bool = false) throws {
        guard let id = network.id else { throw AgentFailure("the network has no id") }
        self.id = id
        bridge = BridgeName.of(id)
        span = NetworkSpan(network)
        let name = "network \(id)"
        if let vlan = network.parameters?.vlanID {
            guard (1...4094).contains(vlan) else {
                throw AgentFailure("parameters.vlan_id \(vlan) of \(name) is not a VLAN id; expected 1 to 4094")
            }
            vlanID = vlan
        }
        if let uplink {
            guard let vlanID else {
                throw AgentFailure("\(name) has no parameters.vlan_id, but this porter tags its networks onto the uplink "
                    + "\(uplink) (porter.uplink); give the network a vlan_id")
            }
            let subInterface = BridgeName.subInterface(uplink: uplink, vlanID: vlanID)
            guard subInterface.utf8.count <= BridgeName.maximumLength else {
                throw AgentFailure("the VLAN interface name \(subInterface) is longer than Linux allows "
                    + "(\(BridgeName.maximumLength) characters); rename the uplink \(uplink) or use a shorter porter.uplink")
            }
        }
        if vxlan && vlanID == nil {
            throw AgentFailure("\(name) has no parameters.vlan_id, but this porter joins its networks across hosts with "
                + "VXLAN (porter.vxlan_local), whose VNI is the vlan_id; give the network a vlan_id")
        }
        var subnets: [SubnetSettings] = []
        for (index, subnet) in (network.subnets ?? []).enumerated() {
            let settings = try SubnetSettings(subnet, field: "subnets[\(index)]")
            if let other = subnets.firstIndex(where: { $0.cidr.overlaps(settings.cidr) }) {
                throw AgentFailure("subnets[\(index)] \(settings.cidr) of \(name) overlaps subnets[\(other)] \(subnets[other].cidr)")
            }
            subnets.append(settings)
        }
        self.subnets = subnets
        for (index, subnet) in subnets.enumerated() {
            guard let dhcp = subnet.dhcp else { continue }
            if ServerAddress.choose(in: subnet.cidr, dhcp: dhcp, current: [], reserved: []) == nil {
                throw AgentFailure("subnets[\(index)] \(subnet.cidr) of \(name) has no free address outside the DHCP range "
                    + "\(dhcp.range) for the DHCP server (the gateway and nameservers excluded); shrink dhcp.range by one address")
            }
        }
    }

    /// The subnet of this network holding `address`, if any.
    func subnet(holding address: IPv4Address) -> SubnetSettings? {
        subnets.first { $0.cidr.containsHost(address) }
    }
}

/// One subnet, and its DHCP service when it has one.
struct SubnetSettings: Sendable, Hashable {
    var cidr: IPv4Subnet
    var dhcp: DHCPSettings?

    init(cidr: IPv4Subnet, dhcp: DHCPSettings? = nil) {
        self.cidr = cidr
        self.dhcp = dhcp
    }

    init(_ subnet: Subnet, field: String) throws {
        guard let cidr = IPv4Subnet(subnet.cidr) else {
            throw AgentFailure("\(field).cidr '\(subnet.cidr)' is not an IPv4 subnet such as 192.168.0.0/24 "
                + "(the address must be the network's own, without host bits)")
        }
        self.cidr = cidr
        guard let dhcp = subnet.dhcp else { return }
        guard cidr.prefixLength <= 30 else {
            throw AgentFailure("\(field).cidr \(cidr) is too small to serve DHCP on; use /30 or larger")
        }
        guard let rangeText = dhcp.range else {
            throw AgentFailure("\(field).dhcp.range is required when dhcp is given, e.g. range: 192.168.0.1-192.168.0.127")
        }
        guard let range = IPv4Range(rangeText) else {
            throw AgentFailure("\(field).dhcp.range '\(rangeText)' is not a range such as 192.168.0.1-192.168.0.127")
        }
        guard cidr.containsHost(range.first), cidr.containsHost(range.last) else {
            throw AgentFailure("\(field).dhcp.range \(range) is not inside \(cidr) (its network and broadcast addresses excluded)")
        }
        var gateway: IPv4Address?
        if let text = dhcp.gateway {
            guard let address = IPv4Address(text) else {
                throw AgentFailure("\(field).dhcp.gateway '\(text)' is not an IPv4 address")
            }
            guard cidr.containsHost(address) else {
                throw AgentFailure("\(field).dhcp.gateway \(address) is not a host address inside \(cidr)")
            }
            guard !range.contains(address) else {
                throw AgentFailure("\(field).dhcp.gateway \(address) lies inside dhcp.range \(range); DHCP could lease it to a guest")
            }
            gateway = address
        }
        let nameservers = try (dhcp.nameservers ?? []).enumerated().map { index, text in
            guard let address = IPv4Address(text) else {
                throw AgentFailure("\(field).dhcp.nameservers[\(index)] '\(text)' is not an IPv4 address")
            }
            return address
        }
        self.dhcp = DHCPSettings(range: range, gateway: gateway, nameservers: nameservers)
    }
}

/// The DHCP service of one subnet.
struct DHCPSettings: Sendable, Hashable {
    var range: IPv4Range
    /// Sent as the router option; without one, guests get no default route.
    var gateway: IPv4Address?
    /// Sent as the DNS servers option; without any, none is sent.
    var nameservers: [IPv4Address]
}

extension IPv4Subnet {
    func overlaps(_ other: IPv4Subnet) -> Bool {
        let mask = prefixLength < other.prefixLength ? self.mask : other.mask
        return network.value & mask == other.network.value & mask
    }
}
