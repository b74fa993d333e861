import AgentRuntime
import Logging
import Messages

extension PorterVLANDriver {
    func applyNetwork(_ object: Object) async throws -> ApplyOutcome {
        guard let id = object.id else { throw AgentFailure("the network has no id") }
        var result = object
        if object.desiredState == "deleted" {
            try await removeNetwork(id)
            result.bridge = nil
            return ApplyOutcome(object: result)
        }
        let settings = try NetworkSettings(object, uplink: configuration.uplink, vxlan: configuration.vxlan != nil)
        result.bridge = settings.bridge
        let servers = try await build(settings, up: object.desiredState != "down")
        try store.save(NetworkRecord(network: result, serverAddresses: servers.map(\.description),
                                     servesDHCP: settings.span.servesDHCP))
        return ApplyOutcome(object: result)
    }

    /// Makes the bridge, its uplink port and its addresses match `settings`, then runs or stops
    /// DHCP; returns the DHCP server's addresses.
    private func build(_ settings: NetworkSettings, up: Bool) async throws -> [IPv4Address] {
        var links = try await ip.links()
        let bridge = settings.bridge
        // The sub-interface first: where the kernel cannot tag, the request fails before
        // anything is made. A VXLAN port instead where the porter has an overlay.
        var port = try await makeUplinkPort(settings, links: links)
        if port == nil { port = try await makeVXLANPort(settings, links: links) }
        if let existing = links.named(bridge) {
            guard existing.kind == "bridge" else {
                throw AgentFailure("an interface named \(bridge) exists on this host and is not a bridge; remove it so the "
                    + "porter can make network \(settings.id)'s bridge")
            }
        } else {
            try await ip.addBridge(bridge)
        }
        links = try await ip.links()
        // Ports this porter made for an earlier vlan_id, uplink or overlay.
        for stale in links where ["vlan", "vxlan"].contains(stale.kind) && stale.master == bridge && stale.name != port {
            try await ip.delete(stale.name)
        }
        if let port, let link = links.named(port) {
            if link.master != bridge { try await ip.setMaster(port, bridge: bridge) }
            if !link.isUp { try await ip.setUp(port, true) }
        }

        let current = links.named(bridge)?.addresses ?? []
        let reserved = Set(store.reservations(of: settings.id).flatMap(\.addresses))
        var desired: [InterfaceAddress] = []
        // Only the porter that serves DHCP has an address on the network; on the other hosts
        // the bridge only carries its L2.
        for (subnet, dhcp) in settings.span.servesDHCP ? settings.dhcpSubnets : [] {
            guard let address = ServerAddress.choose(in: subnet, dhcp: dhcp, current: current.map(\.address), reserved: reserved)
            else {
                throw AgentFailure("\(subnet) of network \(settings.id) has no free address outside dhcp.range \(dhcp.range) "
                    + "for the DHCP server (gateway, nameservers and NICs' fixed addresses excluded); shrink the range")
            }
            desired.append(InterfaceAddress(address: address, prefixLength: subnet.prefixLength))
        }
        for address in current where !desired.contains(address) {
            try await ip.removeAddress(address, from: bridge)
        }
        for address in desired where !current.contains(address) {
            try await ip.addAddress(address, to: bridge)
        }

        let isUp = links.named(bridge)?.isUp ?? false
        if up {
            if !isUp { try await ip.setUp(bridge, true) }
            if let port, links.named(port)?.kind == "vxlan" { try await updateFloodPeers(settings, port: port) }
            if settings.span.servesDHCP {
                try await runDHCP(settings, links: links)
            } else {
                await stopDHCP(settings.id)
            }
        } else {
            await stopDHCP(settings.id)
            if isUp { try await ip.setUp(bridge, false) }
        }
        return desired.map(\.address)
    }

    /// Makes (or finds) `UPLINK.VLAN_ID` when the porter has an uplink; returns its name.
    private func makeUplinkPort(_ settings: NetworkSettings, links: [Link]) async throws -> String? {
        guard let uplink = configuration.uplink, let vlanID = settings.vlanID else { return nil }
        let name = BridgeName.subInterface(uplink: uplink, vlanID: vlanID)
        if let existing = links.named(name) {
            guard existing.kind == "vlan", existing.vlanID == vlanID, existing.parent == uplink else {
                throw AgentFailure("an interface named \(name) exists on this host and is not VLAN \(vlanID) on \(uplink); "
                    + "remove it so the porter can tag network \(settings.id)")
            }
            if let master = existing.master, master != settings.bridge {
                throw AgentFailure("VLAN \(vlanID) on \(uplink) (\(name)) already belongs to bridge \(master); one VLAN "
                    + "carries one network, so give network \(settings.id) another vlan_id")
            }
            return name
        }
        guard links.named(uplink) != nil else {
            throw AgentFailure("the uplink interface \(uplink) (porter.uplink) does not exist on this host, so network "
                + "\(settings.id) cannot be tagged onto it; fix porter.uplink (N0CORE_PORTER_UPLINK) or leave it unset "
                + "to keep networks local to this host")
        }
        do {
            try await ip.addVLAN(name, on: uplink, id: vlanID)
        } catch let failure as CommandFailure where Self.lacks8021Q(failure) {
            throw AgentFailure("cannot make \(name) for network \(settings.id): this kernel has no 802.1Q VLAN support "
                + "(module 8021q is neither built in nor loadable), so \(failure). Load 8021q (modprobe 8021q) or run "
                + "the porter without porter.uplink, which keeps networks local to this host; nothing was changed")
        }
        return name
    }

    /// What `ip` says when the kernel cannot make VLAN interfaces.
    static func lacks8021Q(_ failure: CommandFailure) -> Bool {
        guard case .failed(_, _, let standardError) = failure else { return false }
        return standardError.contains("Unknown device type") || standardError.contains("Operation not supported")
    }

    /// Removes the network's dnsmasq, its tagged ports, its bridge and its state folder;
    /// whatever is already gone is skipped.
    private func removeNetwork(_ id: ObjectID) async throws {
        await stopDHCP(id)
        let bridge = BridgeName.of(id)
        let links = try await ip.links()
        var ports = links.filter { ["vlan", "vxlan"].contains($0.kind) && $0.master == bridge }.map(\.name)
        // A VXLAN port made just before a crash, not yet a port of the bridge.
        if let port = links.named(BridgeName.vxlan(of: id)), port.kind == "vxlan", !ports.contains(port.name) {
            ports.append(port.name)
        }
        // A sub-interface made just before a crash, not yet a port of the bridge.
        if let uplink = configuration.uplink, let vlanID = store.record(of: id)?.network.parameters?.vlanID,
           let port = links.named(BridgeName.subInterface(uplink: uplink, vlanID: vlanID)),
           port.kind == "vlan", port.master == nil, !ports.contains(port.name) {
            ports.append(port.name)
        }
        for port in ports { try await ip.delete(port) }
        if links.named(bridge)?.kind == "bridge" {
            try await ip.delete(bridge)
        }
        try store.remove(id)
    }

    // MARK: DHCP

    /// Runs the network's one dnsmasq: adopts a running one with the right command line, stops
    /// any other, starts one when none is left; then confirms from dnsmasq's log that it read
    /// the reservations (an adopted one re-reads them first). Without DHCP subnets, stops it.
    /// On a network with a VXLAN port, its MTU is offered to guests so their frames fit in the
    /// overlay; `links` is the host's interfaces when the caller has just read them.
    func runDHCP(_ settings: NetworkSettings, links known: [Link]? = nil) async throws {
        let files = store.dnsmasqFiles(of: settings.id)
        let running = processes.running(pidFile: files.pid)
        guard !settings.dhcpSubnets.isEmpty else {
            for process in running { await processes.stop(process) }
            return
        }
        var overlayMTU: Int?
        if configuration.vxlan != nil {
            let links = if let known { known } else { try await ip.links() }
            overlayMTU = links.named(BridgeName.vxlan(of: settings.id))?.mtu
        }
        // dnsmasq refuses to start without its hosts file.
        try store.write(store.reservations(of: settings.id), of: settings.id)
        let arguments = DnsmasqArguments.make(bridge: settings.bridge, subnets: settings.dhcpSubnets, files: files,
                                              leaseSeconds: configuration.leaseSeconds, mtu: overlayMTU)
        var adopted: DnsmasqProcesses.Running?
        for process in running {
            if adopted == nil && process.arguments == arguments {
                adopted = process
                logger.debug("dnsmasq already runs as asked; keeping it", metadata: [
                    "network_id": "\(settings.id)", "pid": "\(process.pid)",
                ])
            } else {
                logger.info("stopping a dnsmasq that does not match its network's settings", metadata: [
                    "network_id": "\(settings.id)", "pid": "\(process.pid)",
                ])
                await processes.stop(process)
            }
        }
        if let adopted {
            // It may have read the file before the porter changed it (or before dnsmasq's user
            // could reach it): only a read confirmed now says what it serves.
            try await reloadConfirmed(settings.id, adopted)
            return
        }
        let offset = DnsmasqLogFile(path: files.log).end()
        try await runner.check(Command("dnsmasq", arguments, timeout: configuration.commandTimeout))
        guard let started = processes.running(pidFile: files.pid).first else {
            throw AgentFailure("dnsmasq for network \(settings.id) exited right after starting; see \(files.log)")
        }
        try await confirmHostsFileRead(settings.id, by: started, since: offset)
        logger.info("started dnsmasq", metadata: [
            "network_id": "\(settings.id)", "bridge": "\(settings.bridge)", "pid": "\(started.pid)",
        ])
    }

    func stopDHCP(_ network: ObjectID) async {
        for process in processes.running(pidFile: store.dnsmasqFiles(of: network).pid) {
            await processes.stop(process)
        }
    }

    /// Makes the network's dnsmasq, when it runs, re-read its hosts file, and confirms it did.
    func reloadDHCP(_ network: ObjectID) async throws {
        for process in processes.running(pidFile: store.dnsmasqFiles(of: network).pid) {
            try await reloadConfirmed(network, process)
        }
    }

    /// SIGHUP (dnsmasq re-reads its hosts file and keeps its leases), confirmed from its log.
    private func reloadConfirmed(_ network: ObjectID, _ process: DnsmasqProcesses.Running) async throws {
        let offset = DnsmasqLogFile(path: store.dnsmasqFiles(of: network).log).end()
        processes.reload(process)
        try await confirmHostsFileRead(network, by: process, since: offset)
    }

    /// Waits for dnsmasq `process` to report, in its log after `offset`, that it read the
    /// network's hosts file; throws naming the cause when it could not or said nothing within
    /// `porter.command_timeout_seconds`. A reservation that is only written is not served.
    private func confirmHostsFileRead(_ network: ObjectID, by process: DnsmasqProcesses.Running,
                                      since offset: UInt64) async throws {
        let files = store.dnsmasqFiles(of: network)
        let log = DnsmasqLogFile(path: files.log)
        let deadline = ContinuousClock.now + configuration.commandTimeout
        let who = "dnsmasq for network \(network) (pid \(process.pid), running as \(processes.user(of: process) ?? "an unknown user"))"
        while true {
            switch HostsFileReport.find(in: log.text(from: offset), hostsFile: files.hosts, pid: process.pid) {
            case .read:
                logger.debug("dnsmasq read the reservations", metadata: ["network_id": "\(network)", "pid": "\(process.pid)"])
                return
            case .readWithErrors(let lines):
                throw AgentFailure("\(who) refused lines of its reservations \(files.hosts): \(lines.joined(separator: "; "))")
            case .unreadable(let reason):
                var advice = "see \(files.log)"
                if let blocked = DirectorySearch.firstBlocked(above: files.hosts, mode: DirectorySearch.mode(of:)) {
                    advice = "other users cannot pass through \(blocked); allow them (chmod o+x \(blocked)) or set "
                        + "agent.state_dir (N0CORE_AGENT_STATE_DIR) below directories they can pass through"
                }
                throw AgentFailure("\(who) cannot read its reservations \(files.hosts): \(reason), so it would serve no "
                    + "fixed address; \(advice)")
            case nil:
                break
            }
            guard processes.isAlive(process) else {
                throw AgentFailure("\(who) exited before reading its reservations \(files.hosts); see \(files.log)")
            }
            guard ContinuousClock.now < deadline else {
                throw AgentFailure("\(who) did not report reading its reservations \(files.hosts) within "
                    + "\(configuration.commandTimeout) (porter.command_timeout_seconds); see \(files.log)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    // MARK: Start-up

    /// Stops dnsmasqs whose network has no record, then brings every recorded network back.
    func restore() async {
        let records = store.records()
        let known = Set(records.compactMap(\.network.id).map { store.dnsmasqFiles(of: $0).pid })
        for process in processes.all(under: store.root) where !known.contains(process.pidFile) {
            logger.info("stopping a dnsmasq of a network this porter no longer has", metadata: [
                "pid": "\(process.pid)", "pid_file": "\(process.pidFile)",
            ])
            await processes.stop(process)
        }
        for record in records {
            do {
                _ = try await applyNetwork(record.network)
                logger.info("network restored to its last applied state", metadata: [
                    "network_id": "\(record.network.id?.description ?? "-")",
                    "state": "\(record.network.desiredState ?? "applied")", "bridge": "\(record.network.bridge ?? "-")",
                ])
            } catch {
                logger.error("cannot restore a network; it is repaired when it is applied again", metadata: [
                    "network_id": "\(record.network.id?.description ?? "-")", "error": "\(error)",
                ])
            }
        }
    }
}

extension [Link] {
    func named(_ name: String) -> Link? {
        first { $0.name == name }
    }
}
