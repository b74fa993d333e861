import AgentRuntime
import Messages

/// A `resource/nic` checked and read: its MAC, its network, and its fixed addresses. Pure, so
/// the porter refuses a bad NIC before it touches a hosts file.
struct NICSettings: Sendable, Hashable {
    var id: ObjectID
    var hardwareAddress: HardwareAddress
    /// The network as the request embeds it.
    var network: Object
    var networkID: ObjectID
    var addresses: [IPv4Address]

    /// - Throws: ``AgentFailure`` naming the field and the problem.
    init(_ nic: Object) throws {
        guard let id = nic.id else { throw AgentFailure("the NIC has no id") }
        self.id = id
        network = try Self.network(of: nic)
        guard let networkID = network.id else {
            throw AgentFailure("the network NIC \(id) is on has no id")
        }
        self.networkID = networkID
        guard let text = nic.hwAddr else {
            throw AgentFailure("NIC \(id) has no hw_addr; the scheduler assigns one (52:54:00:xx:xx:xx) before the porter "
                + "can reserve its addresses, so schedule the NIC through the scheduler or give it a hw_addr")
        }
        guard let mac = HardwareAddress(text) else {
            throw AgentFailure("hw_addr '\(text)' of NIC \(id) is not a MAC address like 52:54:00:12:34:56")
        }
        guard mac.isUnicast else {
            throw AgentFailure("hw_addr \(mac) of NIC \(id) is a broadcast, multicast or all-zero address, which no "
                + "interface can have; give it a unicast MAC like 52:54:00:12:34:56")
        }
        hardwareAddress = mac
        addresses = try (nic.ipAddresses ?? []).enumerated().map { index, text in
            guard let address = IPv4Address(text) else {
                throw AgentFailure("ip_addresses[\(index)] '\(text)' of NIC \(id) is not an IPv4 address")
            }
            return address
        }
    }

    /// The one network a NIC is a port of (its `n0stack/n0core/port/network` dependency).
    static func network(of nic: Object) throws -> Object {
        let networks = nic.dependencies(relation: Relation.portNetwork)
        guard networks.count == 1 else {
            throw AgentFailure(networks.isEmpty
                ? "NIC \(nic.id?.description ?? "?") has no network: it needs one dependency '\(Relation.portNetwork)'"
                : "NIC \(nic.id?.description ?? "?") is on \(networks.count) networks; a NIC is a port of exactly one")
        }
        return networks[0].object
    }

    /// Checks the fixed addresses against the network's subnets, its DHCP server's addresses
    /// and the other NICs' reservations.
    /// - Throws: ``AgentFailure`` naming the address and why it cannot be this NIC's.
    func check(against network: NetworkSettings, serverAddresses: Set<IPv4Address> = [],
               others: [Reservation] = []) throws {
        var subnetsUsed: [IPv4Subnet: IPv4Address] = [:]
        for (index, address) in addresses.enumerated() {
            let field = "ip_addresses[\(index)] \(address) of NIC \(id)"
            guard let subnet = network.subnet(holding: address) else {
                let cidrs = network.subnets.map(\.cidr.description)
                throw AgentFailure("\(field) is not inside "
                    + (cidrs.isEmpty ? "any subnet: network \(network.id) has none"
                        : "the subnet of network \(network.id) (\(cidrs.joined(separator: ", ")))"))
            }
            if let other = subnetsUsed[subnet.cidr] {
                throw AgentFailure("\(field) is in the same subnet \(subnet.cidr) as \(other); DHCP gives a NIC one "
                    + "address per subnet")
            }
            subnetsUsed[subnet.cidr] = address
            if address == subnet.dhcp?.gateway {
                throw AgentFailure("\(field) is the gateway of \(subnet.cidr)")
            }
            if serverAddresses.contains(address) {
                throw AgentFailure("\(field) is the address of the network's DHCP server on this host; choose another")
            }
            if let holder = others.first(where: { $0.nic != id && $0.addresses.contains(address) }) {
                throw AgentFailure("\(field) is already reserved for NIC \(holder.nic) (\(holder.hardwareAddress))")
            }
        }
        if let holder = others.first(where: { $0.nic != id && $0.hardwareAddress == hardwareAddress }) {
            throw AgentFailure("hw_addr \(hardwareAddress) of NIC \(id) is already NIC \(holder.nic)'s on network "
                + "\(network.id); MACs must be unique")
        }
    }

    var reservation: Reservation {
        Reservation(nic: id, hardwareAddress: hardwareAddress, addresses: addresses)
    }
}
