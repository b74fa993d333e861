import Messages

/// A NIC's DHCP reservation on its network: its MAC, and the fixed addresses dnsmasq hands
/// only to that MAC (none: it gets one from the pool).
struct Reservation: Sendable, Hashable {
    var nic: ObjectID
    var hardwareAddress: HardwareAddress
    var addresses: [IPv4Address]
}

/// A network's dnsmasq hosts file (`--dhcp-hostsfile`), which is also the porter's record of
/// the NICs on that network, so the two can never disagree.
///
/// Each NIC is a comment line the porter reads back (`# nic ID MAC [IP,IP]`), then one
/// `MAC,IP` line per fixed address (dnsmasq picks the one in the subnet asked from), or a bare
/// `MAC` line when it has none. dnsmasq skips the comments.
enum DHCPHostsFile {
    static func render(network: ObjectID, _ reservations: [Reservation]) -> String {
        var lines = ["# DHCP reservations of network \(network), written by n0core-porter-vlan; edits are lost."]
        for reservation in reservations.sorted(by: { $0.nic < $1.nic }) {
            let mac = reservation.hardwareAddress.description
            let addresses = reservation.addresses.map(\.description)
            lines.append((["# nic", reservation.nic.description, mac] + (addresses.isEmpty ? [] : [addresses.joined(separator: ",")]))
                .joined(separator: " "))
            lines += addresses.isEmpty ? [mac] : addresses.map { "\(mac),\($0)" }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The reservations in `text`; lines it cannot read are skipped (the file is the porter's own).
    static func parse(_ text: String) -> [Reservation] {
        text.split(whereSeparator: \.isNewline).compactMap { line -> Reservation? in
            let words = line.split(separator: " ")
            guard words.count >= 4, words[0] == "#", words[1] == "nic",
                  let nic = ObjectID(String(words[2])), let mac = HardwareAddress(String(words[3]))
            else { return nil }
            let addresses = words.count > 4 ? words[4].split(separator: ",").compactMap { IPv4Address($0) } : []
            return Reservation(nic: nic, hardwareAddress: mac, addresses: addresses)
        }
    }
}
