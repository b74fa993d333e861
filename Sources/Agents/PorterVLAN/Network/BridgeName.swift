import Messages

/// The names of the interfaces the porter makes. Linux allows 15 characters, so the seed's
/// `br-vlan-<uuid>` cannot exist (design §4): a network's bridge is `br-` and the first 12 hex
/// digits of its id, its 802.1Q sub-interface on the uplink is `UPLINK.VLAN_ID`, and its VXLAN port
/// `vx-` and the same digits.
enum BridgeName {
    /// The longest interface name Linux accepts (IFNAMSIZ - 1).
    static let maximumLength = 15

    /// `br-8451da315e3a` for network `8451da31-5e3a-…`.
    static func of(_ network: ObjectID) -> String {
        "br-" + network.description.filter(\.isHexDigit).prefix(12)
    }

    /// `vx-8451da315e3a` for network `8451da31-5e3a-…`: its VXLAN port.
    static func vxlan(of network: ObjectID) -> String {
        "vx-" + network.description.filter(\.isHexDigit).prefix(12)
    }

    /// Whether `name` has the form of a bridge this porter makes.
    static func isPorterBridge(_ name: String) -> Bool {
        name.count == 15 && name.hasPrefix("br-")
            && name.dropFirst(3).allSatisfy { $0.isHexDigit && !$0.isUppercase }
    }

    /// `eth0.100`.
    static func subInterface(uplink: String, vlanID: Int) -> String {
        "\(uplink).\(vlanID)"
    }
}
