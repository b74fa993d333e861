/// An IPv4 address as a number, so subnet membership, ranges and the choice of the DHCP
/// server's address are integer arithmetic.
///
/// Only dotted quads without leading zeros are read (`192.168.0.1`), the form `ip` and dnsmasq
/// print, so an address read back from the host compares equal to the one in a request.
struct IPv4Address: Sendable, Hashable, Comparable, CustomStringConvertible {
    var value: UInt32

    init(value: UInt32) {
        self.value = value
    }

    init?(_ text: some StringProtocol) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy({ $0.isASCII && $0.isNumber }),
                  part.count == 1 || part.first != "0",
                  let octet = UInt32(part), octet <= 255
            else { return nil }
            value = value << 8 | octet
        }
        self.value = value
    }

    var description: String {
        "\(value >> 24).\(value >> 16 & 0xff).\(value >> 8 & 0xff).\(value & 0xff)"
    }

    static func < (lhs: IPv4Address, rhs: IPv4Address) -> Bool { lhs.value < rhs.value }
}

/// An IPv4 subnet in CIDR form (`192.168.0.0/24`).
struct IPv4Subnet: Sendable, Hashable, CustomStringConvertible {
    var network: IPv4Address
    var prefixLength: Int

    /// Reads `A.B.C.D/N` whose address is the network itself: `192.168.0.1/24` is a typo, not
    /// `192.168.0.0/24`.
    init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = IPv4Address(parts[0]),
              let length = Int(parts[1]), (0...32).contains(length)
        else { return nil }
        network = address
        prefixLength = length
        guard address.value & ~mask == 0 else { return nil }
    }

    var mask: UInt32 { prefixLength == 0 ? 0 : ~UInt32(0) << (32 - prefixLength) }
    var broadcast: IPv4Address { IPv4Address(value: network.value | ~mask) }
    /// The netmask in dotted form, as dnsmasq's `--dhcp-range` takes it.
    var netmask: IPv4Address { IPv4Address(value: mask) }

    /// Whether `address` is a host of this subnet: inside it, and neither its network nor its
    /// broadcast address.
    func containsHost(_ address: IPv4Address) -> Bool {
        address.value & mask == network.value && address != network && address != broadcast
    }

    /// The host addresses, highest first.
    var hostsDescending: some Sequence<IPv4Address> {
        let first = network.value + 1
        let last = broadcast.value == 0 ? 0 : broadcast.value - 1
        return stride(from: Int64(last), through: Int64(first), by: -1).lazy.map { IPv4Address(value: UInt32($0)) }
    }

    var description: String { "\(network)/\(prefixLength)" }
}

/// An inclusive range written `first-last`, a DHCP pool.
struct IPv4Range: Sendable, Hashable, CustomStringConvertible {
    var first: IPv4Address
    var last: IPv4Address

    init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let first = IPv4Address(parts[0]), let last = IPv4Address(parts[1]), first <= last
        else { return nil }
        self.first = first
        self.last = last
    }

    func contains(_ address: IPv4Address) -> Bool { first <= address && address <= last }

    var description: String { "\(first)-\(last)" }
}
