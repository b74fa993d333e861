import AgentRuntime
import Messages
import Testing

@testable import PorterVLAN

@Suite("Porter: network settings, addresses and names")
struct NetworkSettingsTests {
    func seedNetwork() throws -> Object { try PorterTestEnvironment.network() }

    func failure(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch {
            return (error as? AgentFailure)?.message ?? "\(error)"
        }
    }

    @Test func seedNetworkReadsAsItsBridgeVLANAndDHCP() throws {
        let settings = try NetworkSettings(try seedNetwork(), uplink: nil)
        #expect(settings.bridge == "br-8451da315e3a")
        #expect(settings.vlanID == 100)
        let dhcp = try #require(settings.dhcpSubnets.first)
        #expect(dhcp.subnet.description == "192.168.0.0/24")
        #expect(dhcp.dhcp.range.description == "192.168.0.1-192.168.0.127")
        #expect(dhcp.dhcp.gateway == IPv4Address("192.168.0.254"))
        #expect(dhcp.dhcp.nameservers == [IPv4Address("192.168.0.254")!])
    }

    @Test func bridgeNameIsBrAndTwelveHexDigitsWithinLinuxsFifteenCharacters() {
        let name = BridgeName.of(ObjectID("8451da31-5e3a-4c46-aa3a-2a557382a6cd")!)
        #expect(name == "br-8451da315e3a")
        #expect(name.count == BridgeName.maximumLength)
        #expect(BridgeName.isPorterBridge(name))
        #expect(!BridgeName.isPorterBridge("br-test"))
        #expect(!BridgeName.isPorterBridge("virbr0"))
        #expect(BridgeName.subInterface(uplink: "eth0", vlanID: 100) == "eth0.100")
    }

    @Test(arguments: [
        ("cidr", "192.168.0.1/24", "192.168.0.1-192.168.0.127", "192.168.0.254", "subnets[0].cidr '192.168.0.1/24' is not an IPv4 subnet"),
        ("range outside", "192.168.0.0/24", "10.0.0.1-10.0.0.5", "192.168.0.254", "subnets[0].dhcp.range 10.0.0.1-10.0.0.5 is not inside 192.168.0.0/24"),
        ("range bad", "192.168.0.0/24", "192.168.0.9-192.168.0.1", "192.168.0.254", "subnets[0].dhcp.range '192.168.0.9-192.168.0.1' is not a range"),
        ("range with network address", "192.168.0.0/24", "192.168.0.0-192.168.0.9", "192.168.0.254", "is not inside 192.168.0.0/24"),
        ("gateway outside", "192.168.0.0/24", "192.168.0.1-192.168.0.127", "10.0.0.1", "subnets[0].dhcp.gateway 10.0.0.1 is not a host address inside 192.168.0.0/24"),
        ("gateway in range", "192.168.0.0/24", "192.168.0.1-192.168.0.127", "192.168.0.5", "subnets[0].dhcp.gateway 192.168.0.5 lies inside dhcp.range"),
        ("no room for the server", "192.168.0.0/30", "192.168.0.1-192.168.0.1", "192.168.0.2", "has no free address outside the DHCP range"),
    ])
    func badSubnetsAreRefusedNamingTheField(_ case: (String, String, String, String, String)) throws {
        var network = try seedNetwork()
        network.subnets = [Subnet(cidr: `case`.1, dhcp: DHCP(range: `case`.2, nameservers: [], gateway: `case`.3))]
        let message = try #require(failure { _ = try NetworkSettings(network, uplink: nil) }, "\(`case`.0)")
        #expect(message.contains(`case`.4), "\(`case`.0): \(message)")
    }

    @Test func overlappingSubnetsAndBadVLANIDsAreRefused() throws {
        var network = try seedNetwork()
        network.subnets = [Subnet(cidr: "192.168.0.0/24"), Subnet(cidr: "192.168.0.128/25")]
        #expect(failure { _ = try NetworkSettings(network, uplink: nil) }?
            .contains("subnets[1] 192.168.0.128/25 of network 8451da31-5e3a-4c46-aa3a-2a557382a6cd overlaps subnets[0] 192.168.0.0/24") == true)
        network = try seedNetwork()
        network.parameters = NetworkParameters(vlanID: 4095)
        #expect(failure { _ = try NetworkSettings(network, uplink: nil) }?.contains("parameters.vlan_id 4095") == true)
    }

    @Test func anUplinkNeedsAVLANIDAndAShortEnoughSubInterfaceName() throws {
        var network = try seedNetwork()
        network.parameters = nil
        #expect(try NetworkSettings(network, uplink: nil).vlanID == nil, "without an uplink the network is local")
        #expect(failure { _ = try NetworkSettings(network, uplink: "eth0") }?.contains("has no parameters.vlan_id") == true)
        network = try seedNetwork()
        #expect(failure { _ = try NetworkSettings(network, uplink: "enp0s31f6abcd") }?
            .contains("the VLAN interface name enp0s31f6abcd.100 is longer than Linux allows") == true)
        #expect(try NetworkSettings(network, uplink: "eth0").vlanID == 100)
    }

    @Test func serverAddressIsTheHighestFreeHostOutsideTheRange() throws {
        let subnet = try #require(IPv4Subnet("192.168.0.0/24"))
        let dhcp = DHCPSettings(range: try #require(IPv4Range("192.168.0.1-192.168.0.127")),
                                gateway: IPv4Address("192.168.0.254"), nameservers: [IPv4Address("192.168.0.254")!])
        #expect(ServerAddress.choose(in: subnet, dhcp: dhcp, current: [], reserved: [])?.description == "192.168.0.253",
                "the seed's network: .255 is the broadcast, .254 the gateway and nameserver")
        #expect(ServerAddress.choose(in: subnet, dhcp: dhcp, current: [], reserved: [IPv4Address("192.168.0.253")!])?
            .description == "192.168.0.252", "a NIC's fixed address is skipped")
        var other = dhcp
        other.nameservers = [IPv4Address("192.168.0.253")!]
        #expect(ServerAddress.choose(in: subnet, dhcp: other, current: [], reserved: [])?.description == "192.168.0.252")
        #expect(ServerAddress.choose(in: subnet, dhcp: dhcp, current: [IPv4Address("192.168.0.200")!], reserved: [])?
            .description == "192.168.0.200", "an address the bridge already holds is kept")
        #expect(ServerAddress.choose(in: subnet, dhcp: dhcp, current: [IPv4Address("192.168.0.100")!, IPv4Address("10.0.0.1")!],
                                     reserved: [])?.description == "192.168.0.253", "one inside the range is not")
        let tight = DHCPSettings(range: try #require(IPv4Range("192.168.0.1-192.168.0.253")), gateway: IPv4Address("192.168.0.254"),
                                 nameservers: [])
        #expect(ServerAddress.choose(in: subnet, dhcp: tight, current: [], reserved: []) == nil)
    }

    @Test func addressesParseOnlyDottedQuads() {
        #expect(IPv4Address("192.168.0.1")?.value == 0xC0A8_0001)
        for bad in ["192.168.0", "192.168.0.256", "192.168.00.1", "a.b.c.d", "1.2.3.4.5", ""] {
            #expect(IPv4Address(bad) == nil, "\(bad)")
        }
        #expect(IPv4Subnet("10.0.0.0/8")?.netmask.description == "255.0.0.0")
        #expect(IPv4Subnet("10.0.0.0/33") == nil)
    }

    @Test func macsAreNormalisedAndGroupAddressesAreNotUnicast() {
        #expect(HardwareAddress("52:54:00:AB:cd:0f")?.description == "52:54:00:ab:cd:0f")
        #expect(HardwareAddress("52-54-00-ab-cd-0f")?.description == "52:54:00:ab:cd:0f")
        #expect(HardwareAddress("525400abcd0f")?.description == "52:54:00:ab:cd:0f")
        #expect(HardwareAddress("ffffffffffff")?.isUnicast == false, "the seed's placeholder is the broadcast address")
        #expect(HardwareAddress("01:00:5e:00:00:01")?.isUnicast == false)
        #expect(HardwareAddress("00:00:00:00:00:00")?.isUnicast == false)
        #expect(HardwareAddress("52:54:00:12:34:56")?.isUnicast == true)
        for bad in ["52:54:00:12:34", "52:54:00:12:34:5g", "52:54:00:12:34:567", "5254001234"] {
            #expect(HardwareAddress(bad) == nil, "\(bad)")
        }
    }
}
