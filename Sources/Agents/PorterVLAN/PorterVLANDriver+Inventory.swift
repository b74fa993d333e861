import AgentRuntime
import Messages

extension PorterVLANDriver {
    /// The porter's bridges on this host (`br-` and 12 hex digits) as networks, `applied` when
    /// up and `down` otherwise, with what their records say; and the NICs reserved in the
    /// networks' hosts files. A bridge without a record (made by hand, or by another porter's
    /// state directory) is listed without an id.
    public func inventory() async throws -> [Object] {
        try await lock.run {
            let links = try await ip.links()
            let records = store.records()
            var found: [Object] = []
            for link in links where link.kind == "bridge" && BridgeName.isPorterBridge(link.name) {
                let network = records.first { $0.network.id.map(BridgeName.of) == link.name }?.network
                found.append(Object(type: .networkVLAN, id: network?.id, name: network?.name,
                                    desiredState: link.isUp ? "applied" : "down", bridge: link.name,
                                    subnets: network?.subnets, parameters: network?.parameters))
            }
            for record in records {
                guard let network = record.network.id else { continue }
                for reservation in store.reservations(of: network) {
                    let port = Dependency(object: Object(type: .networkVLAN, id: network, bridge: BridgeName.of(network)),
                                          property: DependencyProperty(relation: Relation.portNetwork))
                    found.append(Object(type: .nic, id: reservation.nic, hwAddr: reservation.hardwareAddress.description,
                                        ipAddresses: reservation.addresses.map(\.description), dependencies: [port]))
                }
            }
            return found
        }
    }

    public func differences(held: Object, found: Object) -> [String] {
        var differences: [String] = []
        switch held.type {
        case .networkVLAN:
            let expected = held.desiredState ?? "applied"
            if let state = found.desiredState, state != expected {
                differences.append("its bridge \(found.bridge ?? "-") is \(state == "down" ? "down" : "up"), applied as \(expected)")
            }
        case .nic:
            let heldMAC = held.hwAddr.flatMap(HardwareAddress.init)
            if let heldMAC, found.hwAddr.flatMap(HardwareAddress.init) != heldMAC {
                differences.append("its reservation is for \(found.hwAddr ?? "no MAC"), applied as \(heldMAC)")
            }
            let heldAddresses = Set((held.ipAddresses ?? []).compactMap { IPv4Address($0) })
            let foundAddresses = Set((found.ipAddresses ?? []).compactMap { IPv4Address($0) })
            if heldAddresses != foundAddresses {
                let text = { (set: Set<IPv4Address>) in set.isEmpty ? "none" : set.sorted().map(\.description).joined(separator: ", ") }
                differences.append("its reserved addresses are \(text(foundAddresses)), applied as \(text(heldAddresses))")
            }
        default:
            break
        }
        return differences
    }
}
