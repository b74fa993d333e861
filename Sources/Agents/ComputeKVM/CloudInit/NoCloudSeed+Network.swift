import AgentRuntime
import Messages

extension NoCloudSeed {
    /// The `network-config` (version 2) for the VM's NICs; nil when it has none. See
    /// ``NoCloudSeed`` for what each NIC gets.
    static func networkConfig(of vm: Object, what: String) throws -> String? {
        let nics = vm.dependencies(relation: Relation.vmAttachments).map(\.object).filter { $0.type == .nic }
        guard !nics.isEmpty else { return nil }
        var lines = ["version: 2", "ethernets:"]
        var hasDefaultRoute = false
        for (index, nic) in nics.enumerated() {
            let name = "eth\(index)"
            let nicWhat = "nic \(nic.id?.description ?? "?") of \(what)"
            guard let text = nic.hwAddr, let mac = HardwareAddress(text), mac.isUnicast else {
                throw AgentFailure("\(nicWhat) has no unicast hw_addr for the guest's network-config")
            }
            lines += ["  \(name):", "    match:", "      macaddress: \(YAMLScalar.quoted(mac.description))",
                      "    set-name: \(name)"]
            let addresses = nic.ipAddresses ?? []
            guard !addresses.isEmpty else {
                lines.append("    dhcp4: true")
                continue
            }
            let subnets = nic.dependencies(relation: Relation.portNetwork).first?.object.subnets ?? []
            var cidrs: [String] = []
            var gateway: IPv4Address?
            var nameservers: [IPv4Address] = []
            for text in addresses {
                guard let address = IPv4Address(text) else {
                    throw AgentFailure("\(nicWhat): ip_addresses has '\(text)', not an IPv4 address")
                }
                guard let (subnet, dhcp) = Self.subnet(holding: address, in: subnets) else {
                    throw AgentFailure("\(nicWhat): \(address) is in no subnet of its network, so its prefix length "
                        + "is unknown")
                }
                cidrs.append("\(address)/\(subnet.prefixLength)")
                if gateway == nil, let text = dhcp?.gateway {
                    guard let address = IPv4Address(text) else {
                        throw AgentFailure("\(nicWhat): its subnet \(subnet) has gateway '\(text)', not an IPv4 address")
                    }
                    gateway = address
                }
                for text in dhcp?.nameservers ?? [] {
                    guard let server = IPv4Address(text) else {
                        throw AgentFailure("\(nicWhat): its subnet \(subnet) has nameserver '\(text)', not an IPv4 address")
                    }
                    if !nameservers.contains(server) { nameservers.append(server) }
                }
            }
            lines.append("    addresses:")
            lines += cidrs.map { "      - \($0)" }
            // One default route for the guest: two would compete.
            if let gateway, !hasDefaultRoute {
                hasDefaultRoute = true
                lines += ["    routes:", "      - to: 0.0.0.0/0", "        via: \(gateway)"]
            }
            if !nameservers.isEmpty {
                lines += ["    nameservers:", "      addresses: [\(nameservers.map(\.description).joined(separator: ", "))]"]
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The first subnet whose cidr holds `address`, with its DHCP settings.
    static func subnet(holding address: IPv4Address, in subnets: [Subnet]) -> (IPv4Subnet, DHCP?)? {
        for subnet in subnets {
            if let parsed = IPv4Subnet(subnet.cidr), parsed.containsHost(address) { return (parsed, subnet.dhcp) }
        }
        return nil
    }
}
