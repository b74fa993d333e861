import AgentRuntime
import Logging
import Messages

/// `resource/network/vlan` as a Linux bridge with dnsmasq DHCP, and `resource/nic` as a DHCP
/// reservation on its network.
///
/// Networks:
/// - `applied`: bridge `br-` + the first 12 hex digits of the id, up, without IPv6. With
///   `porter.uplink` set, the 802.1Q sub-interface `UPLINK.VLAN_ID` is made first and joins the
///   bridge (on a kernel without 802.1Q that fails with an error saying so, before anything is
///   made); without it the network is local to the host. When a subnet has `dhcp`, the bridge
///   gets one address in it for the DHCP server (``ServerAddress``: the address it already has,
///   else the highest host address outside `dhcp.range` that is neither the gateway, a
///   nameserver nor a NIC's fixed address, e.g. 192.168.0.253 for the seed's network) and one
///   dnsmasq serves every DHCP subnet of the network on that bridge only
///   (``DnsmasqArguments``).
/// - `down`: dnsmasq stopped, bridge set down (kept with its ports and addresses).
/// - `deleted`: dnsmasq stopped, sub-interface and bridge removed, the network's state folder
///   (records, leases, reservations) removed.
///
/// NICs (`attached`): the NIC's `hw_addr` and fixed `ip_addresses` are checked against its
/// network's subnets, the DHCP server's address and the other NICs, then written to the
/// network's dnsmasq hosts file, and dnsmasq re-reads it on SIGHUP (no restart, leases kept).
/// Every start and re-read is confirmed from dnsmasq's log (``HostsFileReport``) before the
/// apply succeeds: dnsmasq reads the file as `nobody`, and a file it cannot read leaves it
/// serving the pool only. A NIC without fixed addresses gets one from the pool. The Notify carries the network with
/// `bridge` set, which the compute agent attaches the VM to. `detached` and `deleted` drop the
/// reservation.
///
/// Idempotent and restart-safe: every step looks at the host first (`ip -j -d addr show`, and
/// the dnsmasqs in `/proc` whose pid file is the network's) and only changes what differs; a
/// running dnsmasq with the right command line is adopted, one with another is replaced, so
/// there is never a second dnsmasq for a network. At start (``prepare()``) every network this
/// porter recorded is brought back to its last applied state: bridges a reboot removed are
/// made again and dnsmasqs that died are started. Commands (`ip`, `dnsmasq`) go through the
/// ``CommandRunner``, logged at debug with their exit status; a failing one fails the request
/// with the command's own error text.
public struct PorterVLANDriver: AgentDriver {
    public let agentType = ObjectType.agentPorterVLAN
    let configuration: PorterVLANConfiguration
    let runner: any CommandRunner
    let ip: IPTool
    let store: NetworkStore
    let processes: DnsmasqProcesses
    let logger: Logger
    let lock = SerialLock()

    public init(configuration: PorterVLANConfiguration, runner: any CommandRunner, logger: Logger) {
        self.configuration = configuration
        self.runner = runner
        ip = IPTool(runner: runner, timeout: configuration.commandTimeout)
        store = NetworkStore(stateDirectory: configuration.stateDirectory)
        processes = DnsmasqProcesses(logger: logger)
        self.logger = logger
    }

    /// Creates the state folder (letting dnsmasq's user through the state directory), stops
    /// dnsmasqs of networks this porter no longer has, and brings every recorded network back to
    /// its last applied state (adopting what still runs).
    public func prepare() async throws {
        for directory in try store.prepare() {
            logger.notice("""
                let other users pass through the state directory (chmod o+x, still not listable), so dnsmasq, \
                which reads its reservations as an unprivileged user, can reach them
                """, metadata: ["directory": "\(directory)"])
        }
        try await lock.run { await restore() }
    }

    public func validate(_ object: Object) throws {
        switch (object.type, object.desiredState) {
        case (.networkVLAN, let state) where state != "deleted":
            _ = try NetworkSettings(object, uplink: configuration.uplink, vxlan: configuration.vxlan != nil)
        case (.nic, nil), (.nic, "attached"):
            let nic = try NICSettings(object)
            if nic.network.subnets != nil {
                try nic.check(against: NetworkSettings(nic.network, uplink: nil))
            }
        default:
            break
        }
    }

    public func apply(_ object: Object) async throws -> ApplyOutcome {
        try await lock.run {
            switch object.type {
            case .networkVLAN: try await applyNetwork(object)
            case .nic: try await applyNIC(object)
            default: throw AgentFailure("the porter makes networks and NICs, not \(object.type?.rawValue ?? "untyped objects")")
            }
        }
    }

    /// Porters give no capacity: a network costs the host nothing the scheduler counts.
    public func capacity() async throws -> Capacity? { nil }

    /// The underlay address, so the scheduler can name this host to the other porters of a
    /// network that spans it.
    public var announcedAddresses: [IPv4Address] {
        configuration.vxlan.map { [$0.local] } ?? []
    }
}
