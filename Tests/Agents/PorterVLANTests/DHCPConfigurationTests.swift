import Messages
import ServiceSupport
import Testing

@testable import PorterVLAN

@Suite("Porter: dnsmasq command line, hosts file, ip output, configuration")
struct DHCPConfigurationTests {
    @Test func seedNetworksDnsmasqServesItsRangeOnItsBridgeOnlyWithoutDNS() throws {
        let settings = try NetworkSettings(try PorterTestEnvironment.network(), uplink: nil)
        let arguments = DnsmasqArguments.make(bridge: settings.bridge, subnets: settings.dhcpSubnets,
                                              files: DnsmasqFiles(directory: "/state/networks/n"), leaseSeconds: 3600)
        #expect(arguments == [
            "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--port=0",
            "--interface=br-8451da315e3a", "--bind-interfaces", "--except-interface=lo", "--no-ping",
            "--dhcp-range=set:s0,192.168.0.1,192.168.0.127,255.255.255.0,3600",
            "--dhcp-option=tag:s0,option:router,192.168.0.254",
            "--dhcp-option=tag:s0,option:dns-server,192.168.0.254",
            "--dhcp-leasefile=/state/networks/n/dnsmasq.leases", "--dhcp-hostsfile=/state/networks/n/dnsmasq.hosts",
            "--pid-file=/state/networks/n/dnsmasq.pid", "--log-facility=/state/networks/n/dnsmasq.log",
        ])
    }

    @Test func subnetsAreTaggedAndOneWithoutGatewayOrNameserversOffersNeither() throws {
        var network = try PorterTestEnvironment.network()
        network.subnets = [
            Subnet(cidr: "10.1.0.0/16", dhcp: DHCP(range: "10.1.0.10-10.1.0.20")),
            Subnet(cidr: "10.2.0.0/24"),
            Subnet(cidr: "10.3.0.0/24", dhcp: DHCP(range: "10.3.0.10-10.3.0.20", nameservers: ["1.1.1.1", "10.3.0.1"],
                                                   gateway: "10.3.0.1")),
        ]
        let settings = try NetworkSettings(network, uplink: nil)
        let arguments = DnsmasqArguments.make(bridge: "br-x", subnets: settings.dhcpSubnets,
                                              files: DnsmasqFiles(directory: "/d"), leaseSeconds: 600)
        let dhcp = arguments.filter { $0.hasPrefix("--dhcp-range") || $0.hasPrefix("--dhcp-option") }
        #expect(dhcp == [
            "--dhcp-range=set:s0,10.1.0.10,10.1.0.20,255.255.0.0,600",
            "--dhcp-option=tag:s0,option:router",
            "--dhcp-range=set:s1,10.3.0.10,10.3.0.20,255.255.255.0,600",
            "--dhcp-option=tag:s1,option:router,10.3.0.1",
            "--dhcp-option=tag:s1,option:dns-server,1.1.1.1,10.3.0.1",
        ])
    }

    @Test func hostsFileRoundTripsAndGivesDnsmasqOneLinePerFixedAddress() throws {
        let network = PorterTestEnvironment.networkID
        let fixed = Reservation(nic: ObjectID("00000000-0000-4000-8000-000000000001")!,
                                hardwareAddress: HardwareAddress("52:54:00:12:34:56")!,
                                addresses: [IPv4Address("192.168.0.1")!, IPv4Address("10.0.0.9")!])
        let pooled = Reservation(nic: ObjectID("00000000-0000-4000-8000-000000000002")!,
                                 hardwareAddress: HardwareAddress("52:54:00:aa:bb:cc")!, addresses: [])
        let text = DHCPHostsFile.render(network: network, [pooled, fixed])
        #expect(text == """
            # DHCP reservations of network \(network), written by n0core-porter-vlan; edits are lost.
            # nic 00000000-0000-4000-8000-000000000001 52:54:00:12:34:56 192.168.0.1,10.0.0.9
            52:54:00:12:34:56,192.168.0.1
            52:54:00:12:34:56,10.0.0.9
            # nic 00000000-0000-4000-8000-000000000002 52:54:00:aa:bb:cc
            52:54:00:aa:bb:cc

            """)
        #expect(DHCPHostsFile.parse(text) == [fixed, pooled])
        #expect(DHCPHostsFile.parse("garbage\n# nic nonsense\n52:54:00:12:34:56,192.168.0.1\n").isEmpty)
    }

    @Test func ipJSONReadsBridgesPortsVLANsAndAddresses() throws {
        let json = """
            [{"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP","LOWER_UP"],"addr_info":[{"family":"inet","local":"127.0.0.1","prefixlen":8}]},
             {"ifindex":2,"ifname":"br-8451da315e3a","flags":["BROADCAST","MULTICAST","UP"],"operstate":"DOWN",
              "linkinfo":{"info_kind":"bridge","info_data":{"stp_state":0}},
              "addr_info":[{"family":"inet","local":"192.168.0.253","prefixlen":24,"scope":"global"},
                           {"family":"inet6","local":"fe80::1","prefixlen":64}]},
             {"ifindex":3,"ifname":"u0.100","link":"u0","flags":["BROADCAST","MULTICAST"],"master":"br-8451da315e3a",
              "linkinfo":{"info_kind":"vlan","info_data":{"protocol":"802.1Q","id":100},"info_slave_kind":"bridge"},"addr_info":[]}]
            """
        let links = try Link.parse(json)
        #expect(links.map(\.name) == ["lo", "br-8451da315e3a", "u0.100"])
        #expect(links[1] == Link(name: "br-8451da315e3a", isUp: true, master: nil, kind: "bridge", vlanID: nil, parent: nil,
                                 addresses: [InterfaceAddress(address: IPv4Address("192.168.0.253")!, prefixLength: 24)]))
        #expect(links[2] == Link(name: "u0.100", isUp: false, master: "br-8451da315e3a", kind: "vlan", vlanID: 100, parent: "u0",
                                 addresses: []))
        #expect(throws: (any Error).self) { try Link.parse("Device \"x\" does not exist.") }
    }

    @Test func configurationReadsPorterKeysFromTheEnvironmentAndRefusesBadValues() async throws {
        func read(_ environment: [String: String]) async throws -> PorterVLANConfiguration {
            let configuration = try await ServiceConfiguration.load(file: nil, environment: environment)
            return try PorterVLANConfiguration(reader: configuration.reader, stateDirectory: "/state")
        }
        let defaults = try await read([:])
        #expect(defaults == PorterVLANConfiguration(stateDirectory: "/state"))
        #expect(defaults.uplink == nil && defaults.leaseSeconds == 3600 && defaults.commandTimeout == .seconds(30))
        let set = try await read(["N0CORE_PORTER_UPLINK": "eth1", "N0CORE_PORTER_DHCP_LEASE_SECONDS": "600",
                                  "N0CORE_PORTER_COMMAND_TIMEOUT_SECONDS": "5"])
        #expect(set == PorterVLANConfiguration(stateDirectory: "/state", uplink: "eth1", leaseSeconds: 600, commandTimeout: .seconds(5)))
        for bad in [["N0CORE_PORTER_UPLINK": "a-very-long-interface-name"], ["N0CORE_PORTER_DHCP_LEASE_SECONDS": "10"],
                    ["N0CORE_PORTER_COMMAND_TIMEOUT_SECONDS": "0"]] {
            await #expect(throws: ConfigurationError.self, "\(bad)") { try await read(bad) }
        }
    }
}
