import AgentRuntime
import Messages
import ServiceSupport
import Testing

@testable import PorterVLAN

/// The VXLAN overlay's settings and what a network's `Request` says of the other hosts: pure,
/// so every refusal is checked before anything on a host changes.
@Suite("Porter overlay settings")
struct OverlaySettingsTests {
    static let porterA = ObjectID("a0c819fa-9dc2-4666-b7fd-d235a2551119")!
    static let porterB = ObjectID("b0c819fa-9dc2-4666-b7fd-d235a2551119")!

    func read(_ environment: [String: String]) async throws -> PorterVLANConfiguration {
        let configuration = try await ServiceConfiguration.load(file: nil, environment: environment)
        return try PorterVLANConfiguration(reader: configuration.reader, stateDirectory: "/state")
    }

    @Test func vxlanKeysAreReadAndBadValuesRefusedNamingTheKey() async throws {
        #expect(try await read([:]).vxlan == nil)
        let unicast = try await read(["N0CORE_PORTER_VXLAN_LOCAL": "10.0.0.11"])
        #expect(unicast.vxlan == VXLANConfiguration(local: IPv4Address("10.0.0.11")!, device: nil, group: nil, port: 4789))
        let multicast = try await read(["N0CORE_PORTER_VXLAN_LOCAL": "10.0.0.11", "N0CORE_PORTER_VXLAN_DEVICE": "eth1",
                                        "N0CORE_PORTER_VXLAN_GROUP": "239.1.1.1", "N0CORE_PORTER_VXLAN_PORT": "8472"])
        #expect(multicast.vxlan == VXLANConfiguration(local: IPv4Address("10.0.0.11")!, device: "eth1",
                                                      group: IPv4Address("239.1.1.1")!, port: 8472))
        let refused: [([String: String], String)] = [
            (["N0CORE_PORTER_VXLAN_LOCAL": "10.0.0"], "porter.vxlan_local"),
            (["N0CORE_PORTER_VXLAN_LOCAL": "10.0.0.11", "N0CORE_PORTER_VXLAN_GROUP": "10.1.1.1",
              "N0CORE_PORTER_VXLAN_DEVICE": "eth1"], "porter.vxlan_group"),
            (["N0CORE_PORTER_VXLAN_LOCAL": "10.0.0.11", "N0CORE_PORTER_VXLAN_GROUP": "239.1.1.1"], "porter.vxlan_group"),
            (["N0CORE_PORTER_VXLAN_LOCAL": "10.0.0.11", "N0CORE_PORTER_VXLAN_PORT": "70000"], "porter.vxlan_port"),
            (["N0CORE_PORTER_VXLAN_LOCAL": "10.0.0.11", "N0CORE_PORTER_VXLAN_DEVICE": "a-very-long-interface-name"],
             "porter.vxlan_device"),
            (["N0CORE_PORTER_VXLAN_GROUP": "239.1.1.1"], "porter.vxlan_group"),
            (["N0CORE_PORTER_VXLAN_LOCAL": "10.0.0.11", "N0CORE_PORTER_UPLINK": "eth1"], "porter.vxlan_local"),
        ]
        for (environment, key) in refused {
            let error = await #expect(throws: ConfigurationError.self, "\(environment)") { try await read(environment) }
            #expect(error.map { "\($0)" }?.contains(key) == true, "\(String(describing: error)) names \(key)")
        }
    }

    func network(peers: [(ObjectID, String?)], dhcpServer: ObjectID?, on agent: ObjectID, vlanID: Int? = 100) -> Object {
        func porter(_ id: ObjectID, _ address: String?) -> Object {
            Object(type: .agentPorterVLAN, id: id, desiredState: "alived", ipAddresses: address.map { [$0] }, hostID: ObjectID())
        }
        var dependencies = peers.map { Dependency(object: porter($0.0, $0.1), property: DependencyProperty(relation: Relation.networkPeer)) }
        if let dhcpServer {
            dependencies.append(Dependency(object: porter(dhcpServer, nil), property: DependencyProperty(relation: Relation.networkDHCPServer)))
        }
        dependencies.append(.scheduled(on: porter(agent, nil)))
        return Object(type: .networkVLAN, id: ObjectID(), parameters: NetworkParameters(vlanID: vlanID), dependencies: dependencies)
    }

    @Test func theDHCPServerIsThePorterTheRequestNamesOrThisOneWhenItNamesNone() throws {
        let alone = Object(type: .networkVLAN, id: ObjectID(), parameters: NetworkParameters(vlanID: 100))
        #expect(NetworkSpan(alone) == NetworkSpan(peers: [], servesDHCP: true), "a network on one host serves its own DHCP")
        let home = NetworkSpan(network(peers: [(Self.porterB, "10.0.0.12")], dhcpServer: Self.porterA, on: Self.porterA))
        #expect(home.servesDHCP)
        #expect(try home.unicastPeers(of: ObjectID()) == [IPv4Address("10.0.0.12")!])
        let leg = NetworkSpan(network(peers: [(Self.porterA, "10.0.0.11")], dhcpServer: Self.porterA, on: Self.porterB))
        #expect(!leg.servesDHCP, "another host's porter serves it: no second DHCP server on one L2")
    }

    @Test func aPeerWithoutAnUnderlayAddressIsAnErrorNamingItsPorterAndTheKey() throws {
        let span = NetworkSpan(network(peers: [(Self.porterB, nil)], dhcpServer: Self.porterA, on: Self.porterA))
        let error = #expect(throws: AgentFailure.self) { try span.unicastPeers(of: ObjectID()) }
        #expect(error?.message.contains("porter \(Self.porterB)") == true)
        #expect(error?.message.contains("porter.vxlan_local") == true)
    }

    @Test func aVXLANPorterNeedsTheNetworksVLANIDAsItsVNI() throws {
        let untagged = network(peers: [], dhcpServer: nil, on: Self.porterA, vlanID: nil)
        #expect(try NetworkSettings(untagged, uplink: nil).vlanID == nil, "without an overlay it stays local")
        let error = #expect(throws: AgentFailure.self) { try NetworkSettings(untagged, uplink: nil, vxlan: true) }
        #expect(error?.message.contains("no parameters.vlan_id") == true && error?.message.contains("VNI") == true)
    }

    @Test func theOverlaysMTUIsOfferedByDHCP() {
        let subnet = IPv4Subnet("192.168.0.0/24")!
        let dhcp = DHCPSettings(range: IPv4Range("192.168.0.1-192.168.0.127")!, gateway: nil, nameservers: [])
        let files = DnsmasqFiles(directory: "/state/n")
        #expect(DnsmasqArguments.make(bridge: "br-x", subnets: [(subnet, dhcp)], files: files, leaseSeconds: 600, mtu: 1450)
            .contains("--dhcp-option=tag:s0,option:mtu,1450"))
        #expect(!DnsmasqArguments.make(bridge: "br-x", subnets: [(subnet, dhcp)], files: files, leaseSeconds: 600)
            .contains { $0.contains("option:mtu") }, "a network on one host keeps its command line")
    }
}
