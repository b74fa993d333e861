import Configuration
import Messages
import ServiceSupport

/// How this porter joins a network's bridges on other hosts when the kernel has no 802.1Q (or
/// the hosts share no VLAN-capable switch): a VXLAN device per network, VNI = the network's
/// `parameters.vlan_id`, on the UDP underlay between hosts.
///
/// | key | environment | default |
/// |---|---|---|
/// | `porter.vxlan_local` | `N0CORE_PORTER_VXLAN_LOCAL` | none: no overlay |
/// | `porter.vxlan_device` | `N0CORE_PORTER_VXLAN_DEVICE` | none (required with a group) |
/// | `porter.vxlan_group` | `N0CORE_PORTER_VXLAN_GROUP` | none: unicast to the scheduler's peers |
/// | `porter.vxlan_port` | `N0CORE_PORTER_VXLAN_PORT` | 4789 |
///
/// Without a group, broadcast (ARP, DHCP) is copied to each peer the scheduler names in the
/// network's `Request` (the porters of the other hosts holding its NICs): no multicast needed on
/// the underlay. With a group, the underlay's multicast carries it and peers are not needed.
public struct VXLANConfiguration: Sendable, Hashable {
    /// This host's address on the underlay: the source of its VXLAN packets, and what other
    /// porters send to (announced in this porter's heartbeat as its `ip_addresses`).
    public var local: IPv4Address
    /// The underlay interface; required for multicast, optional otherwise.
    public var device: String?
    /// A multicast group (224.0.0.0/4) that carries broadcast instead of unicast copies.
    public var group: IPv4Address?
    /// The UDP port, the same on every host.
    public var port: Int

    /// The bytes VXLAN adds to each frame on an IPv4 underlay (outer IPv4 20, UDP 8, VXLAN 8,
    /// inner Ethernet 14): a guest's MTU must leave them room below the underlay's.
    public static let overhead = 50

    public init(local: IPv4Address, device: String? = nil, group: IPv4Address? = nil, port: Int = 4789) {
        self.local = local
        self.device = device
        self.group = group
        self.port = port
    }

    /// Reads the `porter.vxlan_*` keys; nil when `porter.vxlan_local` is unset.
    /// - Throws: ``ConfigurationError`` naming the key whose value is not usable.
    init?(reader: ConfigReader) throws {
        guard let localText = reader.string(forKey: "porter.vxlan_local"), !localText.isEmpty else {
            for key in ["porter.vxlan_device", "porter.vxlan_group"] {
                if let value = reader.string(forKey: ConfigKey(key)), !value.isEmpty {
                    throw ConfigurationError.invalid(key: key, value: value,
                                                     expected: "unset, since porter.vxlan_local (which turns the VXLAN overlay on) is unset")
                }
            }
            return nil
        }
        guard let local = IPv4Address(localText), local.value != 0 else {
            throw ConfigurationError.invalid(key: "porter.vxlan_local", value: localText,
                                             expected: "this host's IPv4 address on the underlay, such as 10.0.0.11")
        }
        var device: String?
        if let text = reader.string(forKey: "porter.vxlan_device"), !text.isEmpty {
            guard text.utf8.count <= 15, !text.contains(where: { $0 == "/" || $0 == ":" || $0.isWhitespace }) else {
                throw ConfigurationError.invalid(key: "porter.vxlan_device", value: text,
                                                 expected: "an interface name of at most 15 characters, such as eth1")
            }
            device = text
        }
        var group: IPv4Address?
        if let text = reader.string(forKey: "porter.vxlan_group"), !text.isEmpty {
            guard let address = IPv4Address(text), address.value >> 28 == 0xE else {
                throw ConfigurationError.invalid(key: "porter.vxlan_group", value: text,
                                                 expected: "an IPv4 multicast address (224.0.0.0/4), such as 239.1.1.1")
            }
            guard device != nil else {
                throw ConfigurationError.invalid(key: "porter.vxlan_group", value: text,
                                                 expected: "set together with porter.vxlan_device, the interface that joins the group")
            }
            group = address
        }
        let port = reader.int(forKey: "porter.vxlan_port", default: 4789)
        guard (1...65_535).contains(port) else {
            throw ConfigurationError.invalid(key: "porter.vxlan_port", value: "\(port)", expected: "a UDP port, 1 to 65535")
        }
        self.init(local: local, device: device, group: group, port: port)
    }
}
