import Messages
import AgentRuntime
import Foundation

/// One network interface as `ip -j -d addr show` reports it: what the porter needs to decide
/// whether a bridge, a sub-interface or an address is already there.
struct Link: Sendable, Hashable {
    var name: String
    /// Administratively up (`ip link set … up`), whatever the carrier.
    var isUp: Bool
    /// The bridge it is a port of.
    var master: String?
    /// `bridge`, `vlan`, `veth` …; nil for a plain device.
    var kind: String?
    /// For a VLAN interface: its tag and the interface it tags.
    var vlanID: Int?
    var parent: String?
    /// For a VXLAN interface: how it is made (VNI, source, multicast group, UDP port).
    var vxlan: VXLANLink?
    var mtu: Int?
    var addresses: [InterfaceAddress]

    /// Every interface in `json`, the output of `ip -j -d addr show`.
    /// - Throws: ``AgentFailure`` when it is not that output.
    static func parse(_ json: String) throws -> [Link] {
        guard let entries = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]] else {
            throw AgentFailure("cannot read the output of `ip -j -d addr show`: \(json.prefix(200))")
        }
        return entries.compactMap { entry in
            guard let name = entry["ifname"] as? String else { return nil }
            let info = entry["linkinfo"] as? [String: Any]
            let data = info?["info_data"] as? [String: Any]
            let kind = info?["info_kind"] as? String
            let addresses = (entry["addr_info"] as? [[String: Any]] ?? []).compactMap { address -> InterfaceAddress? in
                guard address["family"] as? String == "inet", let local = (address["local"] as? String).flatMap(IPv4Address.init),
                      let length = address["prefixlen"] as? Int
                else { return nil }
                return InterfaceAddress(address: local, prefixLength: length)
            }
            return Link(
                name: name,
                isUp: (entry["flags"] as? [String] ?? []).contains("UP"),
                master: entry["master"] as? String,
                kind: kind,
                vlanID: kind == "vlan" ? data?["id"] as? Int : nil,
                parent: kind == "vlan" ? entry["link"] as? String : nil,
                vxlan: kind == "vxlan" ? data.flatMap(VXLANLink.init) : nil,
                mtu: entry["mtu"] as? Int,
                addresses: addresses)
        }
    }
}

/// What `ip -d` says of a VXLAN interface.
struct VXLANLink: Sendable, Hashable {
    var vni: Int
    var local: IPv4Address?
    var group: IPv4Address?
    /// The underlay interface (`dev`).
    var device: String?
    var port: Int?

    init(vni: Int, local: IPv4Address?, group: IPv4Address?, device: String?, port: Int?) {
        self.vni = vni
        self.local = local
        self.group = group
        self.device = device
        self.port = port
    }

    init?(_ data: [String: Any]) {
        guard let vni = data["id"] as? Int else { return nil }
        self.init(vni: vni, local: (data["local"] as? String).flatMap(IPv4Address.init),
                  group: (data["group"] as? String).flatMap(IPv4Address.init),
                  device: data["link"] as? String, port: data["port"] as? Int)
    }
}

/// An IPv4 address on an interface, `A.B.C.D/N`.
struct InterfaceAddress: Sendable, Hashable, CustomStringConvertible {
    var address: IPv4Address
    var prefixLength: Int

    var description: String { "\(address)/\(prefixLength)" }
}
