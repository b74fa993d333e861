import AgentRuntime
import Messages

extension PorterVLANDriver {
    /// Makes (or finds) the network's VXLAN port `vx-…` when the porter has an overlay; returns
    /// its name. One that differs from the configuration (another VNI, source, group or port)
    /// is made again: a stale one would join the wrong network or none.
    func makeVXLANPort(_ settings: NetworkSettings, links: [Link]) async throws -> String? {
        guard let overlay = configuration.vxlan, let vni = settings.vlanID else { return nil }
        let name = BridgeName.vxlan(of: settings.id)
        if let existing = links.named(name) {
            guard existing.kind == "vxlan" else {
                throw AgentFailure("an interface named \(name) exists on this host and is not a VXLAN port; remove it so "
                    + "the porter can join network \(settings.id) to its other hosts")
            }
            let wanted = VXLANLink(vni: vni, local: overlay.local, group: overlay.group, device: overlay.device,
                                   port: overlay.port)
            if existing.vxlan == wanted { return name }
            logger.notice("making the network's VXLAN port again: it differs from the porter's overlay settings", metadata: [
                "network_id": "\(settings.id)", "port": "\(name)",
            ])
            try await ip.delete(name)
        }
        if let clash = links.first(where: { $0.kind == "vxlan" && $0.vxlan?.vni == vni && $0.name != name }) {
            throw AgentFailure("VNI \(vni) is already carried by \(clash.name) on this host; one VNI carries one network, so "
                + "give network \(settings.id) another vlan_id")
        }
        try await ip.addVXLAN(name, vni: vni, overlay: overlay)
        return name
    }

    /// Makes the port's broadcast copies go to exactly the network's other hosts (unicast
    /// overlay); with a multicast group there is nothing to keep.
    func updateFloodPeers(_ settings: NetworkSettings, port: String) async throws {
        guard let overlay = configuration.vxlan, overlay.group == nil else { return }
        let wanted = Set(try settings.span.unicastPeers(of: settings.id)).subtracting([overlay.local])
        let current = try await ip.floodPeers(of: port)
        for peer in current.subtracting(wanted).sorted() { try await ip.removeFlood(to: peer, on: port) }
        for peer in wanted.subtracting(current).sorted() { try await ip.appendFlood(to: peer, on: port) }
        if wanted != current {
            logger.info("network's overlay peers updated", metadata: [
                "network_id": "\(settings.id)", "port": "\(port)",
                "peers": "\(wanted.sorted().map(\.description).joined(separator: ","))",
            ])
        }
    }
}
