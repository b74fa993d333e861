import Messages

/// The address the DHCP server (dnsmasq) holds on a network's bridge in each DHCP subnet:
/// dnsmasq serves a pool only on an interface with an address in that pool's subnet.
///
/// The rule, documented in docs/configuration.md: an address the bridge already holds in the
/// subnet is kept while it stays usable, so a restart or a re-apply never renumbers the server;
/// otherwise the **highest host address of the subnet that is outside `dhcp.range`, and neither
/// the gateway, a nameserver nor a NIC's fixed address** (the broadcast and network addresses
/// are never hosts). For the seed's 192.168.0.0/24 with range .1–.127, gateway and nameserver
/// .254, that is 192.168.0.253. Nothing routes through it: it only answers DHCP.
enum ServerAddress {
    /// - Parameters:
    ///   - current: the addresses the bridge holds now (of any subnet).
    ///   - reserved: NICs' fixed addresses on the network.
    /// - Returns: nil when no address is free.
    static func choose(in subnet: IPv4Subnet, dhcp: DHCPSettings, current: [IPv4Address],
                       reserved: Set<IPv4Address>) -> IPv4Address? {
        func usable(_ address: IPv4Address) -> Bool {
            subnet.containsHost(address) && !dhcp.range.contains(address) && address != dhcp.gateway
                && !dhcp.nameservers.contains(address) && !reserved.contains(address)
        }
        if let kept = current.first(where: usable) { return kept }
        return subnet.hostsDescending.first(where: usable)
    }
}
