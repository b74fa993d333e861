/// An IPv4 address as a number, so subnet membership and ranges are integer comparisons.
///
/// Only dotted-quad text is accepted (`192.168.0.1`): no leading zeros, no shorthand, which is
/// what users of dnsmasq and `ip` write and what those tools read back unambiguously.
public struct IPv4Address: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var value: UInt32

    public init(value: UInt32) {
        self.value = value
    }

    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy({ $0.isASCII && $0.isNumber }),
                  !(part.count > 1 && part.first == "0"),
                  let octet = UInt32(part), octet <= 255
            else { return nil }
            value = value << 8 | octet
        }
        self.value = value
    }

    public var description: String {
        "\(value >> 24).\(value >> 16 & 0xff).\(value >> 8 & 0xff).\(value & 0xff)"
    }

    public static func < (lhs: IPv4Address, rhs: IPv4Address) -> Bool { lhs.value < rhs.value }
}

/// An IPv4 subnet written in CIDR form (`192.168.0.0/24`).
public struct IPv4Subnet: Sendable, Hashable, CustomStringConvertible {
    public var network: IPv4Address
    public var prefixLength: Int

    /// Parses `A.B.C.D/N`; the address must be the network address itself (no host bits), so a
    /// typo such as `192.168.0.1/24` is caught instead of silently meaning `192.168.0.0/24`.
    public init(parsing text: String) throws(IPv4Error) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = IPv4Address(parts[0]),
              let length = Int(parts[1]), (0...32).contains(length)
        else { throw IPv4Error("'\(text)' is not an IPv4 CIDR such as 192.168.0.0/24") }
        let mask: UInt32 = length == 0 ? 0 : ~UInt32(0) << (32 - length)
        guard address.value & ~mask == 0 else {
            throw IPv4Error("'\(text)' has host bits set; the network is \(IPv4Address(value: address.value & mask))/\(length)")
        }
        network = address
        prefixLength = length
    }

    /// Reads a CIDR as ``init(parsing:)`` does; nil instead of the reason.
    public init?(_ text: String) {
        guard let subnet = try? IPv4Subnet(parsing: text) else { return nil }
        self = subnet
    }

    public var mask: UInt32 { prefixLength == 0 ? 0 : ~UInt32(0) << (32 - prefixLength) }
    public var broadcast: IPv4Address { IPv4Address(value: network.value | ~mask) }
    /// The netmask in dotted form, as dnsmasq's `--dhcp-range` takes it.
    public var netmask: IPv4Address { IPv4Address(value: mask) }

    /// The host addresses, highest first (the porter picks its DHCP server address from the top).
    public var hostsDescending: some Sequence<IPv4Address> {
        let first = network.value + 1
        let last = broadcast.value == 0 ? 0 : broadcast.value - 1
        return stride(from: Int64(last), through: Int64(first), by: -1).lazy.map { IPv4Address(value: UInt32($0)) }
    }

    /// Whether `address` is a host address of this subnet (not the network or broadcast address).
    public func containsHost(_ address: IPv4Address) -> Bool {
        address.value & mask == network.value && (prefixLength >= 31 || (address != network && address != broadcast))
    }

    public var description: String { "\(network)/\(prefixLength)" }
}

/// An inclusive range of addresses written `first-last` (a DHCP pool).
public struct IPv4Range: Sendable, Hashable, CustomStringConvertible {
    public var first: IPv4Address
    public var last: IPv4Address

    public init(parsing text: String) throws(IPv4Error) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2,
              let first = IPv4Address(parts[0]),
              let last = IPv4Address(parts[1])
        else { throw IPv4Error("'\(text)' is not a range such as 192.168.0.1-192.168.0.127") }
        guard first <= last else { throw IPv4Error("range '\(text)' ends before it starts") }
        self.first = first
        self.last = last
    }

    /// Reads a range as ``init(parsing:)`` does; nil instead of the reason.
    public init?(_ text: String) {
        guard let range = try? IPv4Range(parsing: text) else { return nil }
        self = range
    }

    public func contains(_ address: IPv4Address) -> Bool { first <= address && address <= last }

    public var description: String { "\(first)-\(last)" }
}

public struct IPv4Error: Error, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
