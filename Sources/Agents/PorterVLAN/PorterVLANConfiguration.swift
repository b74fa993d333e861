import Configuration
import ServiceSupport

/// The network agent's own settings.
///
/// | key | environment | default |
/// |---|---|---|
/// | `porter.uplink` | `N0CORE_PORTER_UPLINK` | none: networks stay local to the host |
/// | `porter.vxlan_*` | see ``VXLANConfiguration`` | none: no overlay |
/// | `porter.dhcp_lease_seconds` | `N0CORE_PORTER_DHCP_LEASE_SECONDS` | 3600 |
/// | `porter.command_timeout_seconds` | `N0CORE_PORTER_COMMAND_TIMEOUT_SECONDS` | 30 |
///
/// dnsmasq's files live in the agent's state directory (`agent.state_dir`), which the driver
/// gets from ``AgentConfiguration``.
public struct PorterVLANConfiguration: Sendable, Hashable {
    /// `agent.state_dir`: networks' records and dnsmasq's leases, hosts and pid files.
    public var stateDirectory: String
    /// The interface networks are tagged onto (`UPLINK.VLAN_ID`, 802.1Q), joining them with the
    /// same VLAN on other hosts; nil keeps every network local to this host.
    public var uplink: String?
    /// The VXLAN overlay that joins a network's bridges across hosts instead of an uplink; nil
    /// without one. At most one of ``uplink`` and this is set.
    public var vxlan: VXLANConfiguration?
    /// The lease time dnsmasq gives.
    public var leaseSeconds: Int
    /// Bound on each `ip` and `dnsmasq` run.
    public var commandTimeout: Duration

    public init(stateDirectory: String, uplink: String? = nil, vxlan: VXLANConfiguration? = nil, leaseSeconds: Int = 3600,
                commandTimeout: Duration = .seconds(30)) {
        self.stateDirectory = stateDirectory
        self.uplink = uplink
        self.vxlan = vxlan
        self.leaseSeconds = leaseSeconds
        self.commandTimeout = commandTimeout
    }

    /// - Throws: ``ConfigurationError`` naming a key whose value is not usable.
    public init(reader: ConfigReader, stateDirectory: String) throws {
        var uplink: String?
        if let text = reader.string(forKey: "porter.uplink"), !text.isEmpty {
            guard text.utf8.count <= 15, !text.contains(where: { $0 == "/" || $0 == ":" || $0.isWhitespace }) else {
                throw ConfigurationError.invalid(key: "porter.uplink", value: text,
                                                 expected: "an interface name of at most 15 characters, such as eth0")
            }
            uplink = text
        }
        let vxlan = try VXLANConfiguration(reader: reader)
        if let uplink, vxlan != nil {
            throw ConfigurationError.invalid(key: "porter.vxlan_local", value: vxlan!.local.description,
                                             expected: "unset while porter.uplink (\(uplink)) is set: a deployment joins its hosts "
                                                 + "with 802.1Q on an uplink or with a VXLAN overlay, not both")
        }
        let lease = reader.int(forKey: "porter.dhcp_lease_seconds", default: 3600)
        guard lease >= 120 else {
            throw ConfigurationError.invalid(key: "porter.dhcp_lease_seconds", value: "\(lease)",
                                             expected: "at least 120 seconds (dnsmasq's minimum)")
        }
        let timeout = reader.int(forKey: "porter.command_timeout_seconds", default: 30)
        guard timeout > 0 else {
            throw ConfigurationError.invalid(key: "porter.command_timeout_seconds", value: "\(timeout)",
                                             expected: "a positive number of seconds")
        }
        self.init(stateDirectory: stateDirectory, uplink: uplink, vxlan: vxlan, leaseSeconds: lease, commandTimeout: .seconds(timeout))
    }
}
