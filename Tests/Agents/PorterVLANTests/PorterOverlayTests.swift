import AgentRuntime
import Foundation
import Messages
import TestSupport
import Testing

@testable import PorterVLAN

/// One network on two hosts joined by VXLAN, on real interfaces: two porter namespaces with an
/// underlay between them (a veth pair), DHCP served once, by the porter the request names, and
/// a client on the other host getting its fixed address across the overlay and reaching a
/// client on the first.
@Suite("Porter VXLAN overlay (two host namespaces)", .enabled(if: PorterTestEnvironment.canRun))
struct PorterOverlayTests {
    typealias Env = PorterTestEnvironment
    static let porterA = ObjectID("a0c819fa-9dc2-4666-b7fd-d235a2551119")!
    static let porterB = ObjectID("b1c819fa-9dc2-4666-b7fd-d235a2551119")!
    static let underlayA = "10.77.0.1"
    static let underlayB = "10.77.0.2"
    static let vxlanPort = "vx-8451da315e3a"

    /// Two porter hosts with `10.77.0.1` and `10.77.0.2` on a veth pair between them.
    static func withTwoHosts(_ body: (PorterHost, PorterHost) async throws -> Void) async throws {
        try await Env.withPorterHost { a in
            try await Env.withPorterHost { b in
                try a.namespace.check(["ip", "link", "add", "ul", "type", "veth", "peer", "name", "ul", "netns", b.namespace.name])
                for (host, address) in [(a, underlayA), (b, underlayB)] {
                    try host.namespace.check(["ip", "addr", "add", "\(address)/24", "dev", "ul"])
                    try host.namespace.check(["ip", "link", "set", "ul", "up"])
                }
                try await body(a, b)
            }
        }
    }

    static func driver(_ host: PorterHost, local: String) -> PorterVLANDriver {
        Env.driver(host, vxlan: VXLANConfiguration(local: IPv4Address(local)!))
    }

    /// The seed's network as the scheduler sends it to `agent`: its peers (the other porters,
    /// with their underlay addresses) and the porter that serves its DHCP.
    static func network(on agent: ObjectID, peers: [(ObjectID, String)], dhcpServer: ObjectID = porterA,
                        state: String = "applied") throws -> Object {
        var network = try Env.network(state: state)
        func porter(_ id: ObjectID, _ address: String?) -> Object {
            Object(type: .agentPorterVLAN, id: id, desiredState: "alived", ipAddresses: address.map { [$0] }, hostID: ObjectID())
        }
        network.dependencies = peers.map {
            Dependency(object: porter($0.0, $0.1), property: DependencyProperty(relation: Relation.networkPeer))
        } + [
            Dependency(object: porter(dhcpServer, nil), property: DependencyProperty(relation: Relation.networkDHCPServer)),
            .scheduled(on: porter(agent, nil)),
        ]
        return network
    }

    static func floodPeers(_ host: PorterHost) throws -> Set<String> {
        try host.namespace.vxlanFloodPeers(of: vxlanPort)
    }

    @Test func aClientOnTheSecondHostGetsItsFixedAddressFromTheFirstAndReachesAClientThere() async throws {
        try await Self.withTwoHosts { a, b in
            let (porterA, porterB) = (Self.driver(a, local: Self.underlayA), Self.driver(b, local: Self.underlayB))
            try await porterA.prepare()
            try await porterB.prepare()
            _ = try await porterA.apply(try Self.network(on: Self.porterA, peers: [(Self.porterB, Self.underlayB)]))
            let leg = try await porterB.apply(try Self.network(on: Self.porterB, peers: [(Self.porterA, Self.underlayA)]))
            #expect(leg.object.bridge == Env.bridge, "the same bridge name on every host, which the VM's agent attaches to")

            // Host A serves DHCP; host B only carries the network's frames.
            #expect(try a.addresses(Env.bridge) == ["192.168.0.253/24"])
            #expect(a.dnsmasqPIDs.count == 1)
            let commandLine = a.dnsmasqPIDs.first.flatMap { FileManager.default.contents(atPath: "/proc/\($0)/cmdline") }
                .map { String(decoding: $0, as: UTF8.self).split(separator: "\0").map(String.init) } ?? []
            #expect(commandLine.contains("--dhcp-option=tag:s0,option:mtu,1450"), "\(commandLine)")
            #expect(try b.addresses(Env.bridge) == [], "no server address on the host that does not serve DHCP")
            #expect(b.dnsmasqPIDs.isEmpty, "one DHCP server per network")
            for host in [a, b] {
                #expect(try host.kind(Self.vxlanPort) == "vxlan")
                #expect(try host.link(Self.vxlanPort)?["master"] as? String == Env.bridge)
            }
            #expect(try Self.floodPeers(a) == [Self.underlayB])
            #expect(try Self.floodPeers(b) == [Self.underlayA])

            // The NIC's reservation is kept by the porter that serves DHCP; the other host's
            // porter checks it and reports the bridge.
            let mac = Env.randomMAC()
            _ = try await porterA.apply(try Env.nic(mac: mac))
            let nicOnB = try await porterB.apply(try Env.nic(mac: mac))
            #expect(nicOnB.object.dependencies(relation: Relation.portNetwork).first?.object.bridge == Env.bridge)
            #expect(a.hostsFileContents()?.contains("\(mac),192.168.0.1\n") == true)
            #expect(b.hostsFileContents() == nil, "no reservation on the host without DHCP")

            try await DHCPClient.with(porter: b, mac: mac) { guestB in
                let lease = try #require(try guestB.lease(), "no lease across the overlay")
                #expect(lease.address == "192.168.0.1", "the fixed address, served from the other host")
                #expect(lease.router == "192.168.0.254")
                #expect(lease.mtu == 1450, "the overlay's MTU, so full-size frames fit in the tunnel")
                try guestB.configure(lease.address)
                try await DHCPClient.with(porter: a, mac: Env.randomMAC()) { guestA in
                    let pooled = try #require(try guestA.lease())
                    #expect(pooled.address != "192.168.0.1")
                    try guestA.configure(pooled.address)
                    #expect(try guestA.reaches("192.168.0.1"), "host A's client reaches host B's across the overlay")
                    #expect(try guestB.reaches(pooled.address))
                }
            }
        }
    }

    @Test func peersFollowTheRequestAndTheLegGoesWithoutTouchingTheOtherHost() async throws {
        try await Self.withTwoHosts { a, b in
            let (porterA, porterB) = (Self.driver(a, local: Self.underlayA), Self.driver(b, local: Self.underlayB))
            try await porterA.prepare()
            try await porterB.prepare()
            let third = (ObjectID(), "10.77.0.3")
            _ = try await porterA.apply(try Self.network(on: Self.porterA, peers: [(Self.porterB, Self.underlayB), third]))
            #expect(try Self.floodPeers(a) == [Self.underlayB, "10.77.0.3"])
            _ = try await porterA.apply(try Self.network(on: Self.porterA, peers: [(Self.porterB, Self.underlayB)]))
            #expect(try Self.floodPeers(a) == [Self.underlayB], "a host the network left is no longer sent its broadcast")

            _ = try await porterB.apply(try Self.network(on: Self.porterB, peers: [(Self.porterA, Self.underlayA)]))
            _ = try await porterB.apply(try Self.network(on: Self.porterB, peers: [(Self.porterA, Self.underlayA)],
                                                         state: "deleted"))
            #expect(try b.bridges() == [])
            #expect(try b.link(Self.vxlanPort) == nil, "the VXLAN port goes with the bridge")
            #expect(try a.bridges() == [Env.bridge])
            #expect(a.dnsmasqPIDs.count == 1)

            // A restart of the porter that serves DHCP brings everything back as it was.
            let pids = a.dnsmasqPIDs
            let restarted = Self.driver(a, local: Self.underlayA)
            try await restarted.prepare()
            #expect(a.dnsmasqPIDs == pids, "the running dnsmasq is adopted")
            #expect(try Self.floodPeers(a) == [Self.underlayB])
        }
    }

    @Test func aPorterThatNoLongerServesDHCPStopsItsServerAndDropsItsAddress() async throws {
        try await Self.withTwoHosts { a, b in
            let porterB = Self.driver(b, local: Self.underlayB)
            try await porterB.prepare()
            _ = try await porterB.apply(try Self.network(on: Self.porterB, peers: [], dhcpServer: Self.porterB))
            #expect(b.dnsmasqPIDs.count == 1)
            _ = try await porterB.apply(try Self.network(on: Self.porterB, peers: [(Self.porterA, Self.underlayA)]))
            #expect(b.dnsmasqPIDs.isEmpty)
            #expect(try b.addresses(Env.bridge) == [])
        }
    }
}
