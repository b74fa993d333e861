import Messages

/// The command line of a network's dnsmasq: DHCP only, on that network's bridge only.
///
/// - `--conf-file=/dev/null --no-resolv --no-hosts`: nothing from the host's own DNS set-up.
/// - `--port=0`: no DNS service at all, so nothing listens on port 53 and dnsmasq does not
///   announce itself as a DNS server; `nameservers` are sent as the DNS option instead.
/// - `--interface=BRIDGE --bind-interfaces --except-interface=lo`: answers on the bridge only,
///   so several networks (several dnsmasqs) share a host.
/// - `--no-ping`: no 3-second ping before each first offer; the bridge is private.
/// - one `--dhcp-range` per DHCP subnet, tagged `sN` so its router and DNS options go with it; a
///   subnet without a gateway gets an empty router option (otherwise dnsmasq would offer its own
///   address as the default route); on a network joined across hosts by VXLAN, the MTU option
///   with the overlay's MTU, so a guest's full-size frames are not dropped by the tunnel.
/// - leases, reservations (hosts file, re-read on SIGHUP), pid file and log in the network's
///   state directory. dnsmasq runs daemonized: it forks, writes its pid file, and reports start-up
///   errors on standard error before the command returns.
///
/// The whole line also identifies a running dnsmasq: one whose command line differs (another
/// range after a change) is replaced.
enum DnsmasqArguments {
    static func make(bridge: String, subnets: [(subnet: IPv4Subnet, dhcp: DHCPSettings)], files: DnsmasqFiles,
                     leaseSeconds: Int, mtu: Int? = nil) -> [String] {
        var arguments = [
            "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--port=0",
            "--interface=\(bridge)", "--bind-interfaces", "--except-interface=lo", "--no-ping",
        ]
        for (index, (subnet, dhcp)) in subnets.enumerated() {
            let tag = "s\(index)"
            arguments.append("--dhcp-range=set:\(tag),\(dhcp.range.first),\(dhcp.range.last),\(subnet.netmask),\(leaseSeconds)")
            arguments.append("--dhcp-option=tag:\(tag),option:router" + (dhcp.gateway.map { ",\($0)" } ?? ""))
            if let mtu {
                arguments.append("--dhcp-option=tag:\(tag),option:mtu,\(mtu)")
            }
            if !dhcp.nameservers.isEmpty {
                arguments.append("--dhcp-option=tag:\(tag),option:dns-server,"
                    + dhcp.nameservers.map(\.description).joined(separator: ","))
            }
        }
        arguments += [
            "--dhcp-leasefile=\(files.leases)", "--dhcp-hostsfile=\(files.hosts)",
            "--pid-file=\(files.pid)", "--log-facility=\(files.log)",
        ]
        return arguments
    }
}

/// Where one network's dnsmasq keeps its files.
struct DnsmasqFiles: Sendable, Hashable {
    var leases: String
    var hosts: String
    var pid: String
    var log: String

    init(directory: String) {
        leases = "\(directory)/dnsmasq.leases"
        hosts = "\(directory)/dnsmasq.hosts"
        pid = "\(directory)/dnsmasq.pid"
        log = "\(directory)/dnsmasq.log"
    }
}
