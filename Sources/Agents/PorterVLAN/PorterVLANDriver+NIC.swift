import AgentRuntime
import Messages

extension PorterVLANDriver {
    func applyNIC(_ object: Object) async throws -> ApplyOutcome {
        guard let id = object.id else { throw AgentFailure("the NIC has no id") }
        if object.desiredState == "detached" || object.desiredState == "deleted" {
            try await dropReservation(of: id, keeping: nil)
            return ApplyOutcome(object: object)
        }
        let nic = try NICSettings(object)
        guard let record = store.record(of: nic.networkID) else {
            throw AgentFailure("network \(nic.networkID) of NIC \(id) is not on this host: this porter has not made its "
                + "bridge \(BridgeName.of(nic.networkID)); a NIC is scheduled on the porter of its network, so apply "
                + "the network here first")
        }
        let network = try NetworkSettings(record.network, uplink: nil)
        guard record.servesDHCP else {
            // Another host's porter serves this network's DHCP and holds the reservation; here
            // the bridge carries the NIC's frames to it.
            try nic.check(against: network)
            try await dropReservation(of: id, keeping: nil)
            return ApplyOutcome(object: withBridge(object, network: nic.networkID))
        }
        let reservations = store.reservations(of: nic.networkID)
        try nic.check(against: network, serverAddresses: Set(record.serverAddresses.compactMap { IPv4Address($0) }),
                      others: reservations)
        // A NIC that moved to another network leaves its old one.
        try await dropReservation(of: id, keeping: nic.networkID)
        try store.write(reservations.filter { $0.nic != id } + [nic.reservation], of: nic.networkID)
        // Written is not served: the network's dnsmasq (started again should it have died)
        // re-reads the file and says so, also when an earlier attempt wrote the same file.
        // A network that is `down` serves nothing until it is applied, which starts dnsmasq.
        if record.network.desiredState != "down" {
            try await runDHCP(network)
            logger.info("dnsmasq read the NIC's reservation", metadata: [
                "nic_id": "\(id)", "network_id": "\(nic.networkID)", "hw_addr": "\(nic.reservation.hardwareAddress)",
                "ip_addresses": "\(nic.reservation.addresses.map(\.description).joined(separator: ","))",
            ])
        }
        return ApplyOutcome(object: withBridge(object, network: nic.networkID))
    }

    /// `nic` with its network's `bridge` filled in, which the VM's agent attaches it to.
    private func withBridge(_ nic: Object, network: ObjectID) -> Object {
        var result = nic
        result.dependencies = nic.dependencies?.map { dependency in
            guard dependency.property.relation == Relation.portNetwork else { return dependency }
            var dependency = dependency
            dependency.object.bridge = BridgeName.of(network)
            return dependency
        }
        return result
    }

    /// Removes NIC `id`'s reservation from every network but `keeping`, each network's dnsmasq
    /// re-reading its file (confirmed) when it changed.
    private func dropReservation(of id: ObjectID, keeping: ObjectID?) async throws {
        for network in store.networkIDs() where network != keeping {
            let reservations = store.reservations(of: network)
            guard reservations.contains(where: { $0.nic == id }) else { continue }
            if try store.write(reservations.filter { $0.nic != id }, of: network) {
                try await reloadDHCP(network)
            }
        }
    }
}
