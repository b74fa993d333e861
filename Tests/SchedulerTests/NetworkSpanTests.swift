import Messages
import Scheduler
import TestSupport
import Testing

/// A network whose NICs are on several hosts: one porter per host, one DHCP server among them
/// that keeps every NIC's reservation, and requests that tell each porter its overlay peers.
@Suite("Networks across hosts")
struct NetworkSpanTests {
    typealias F = Fixtures

    /// Two hosts whose porters announce underlay addresses, and two VMs that spread over them.
    static func twoHosts() -> (agents: [RegisteredAgent], hosts: [ObjectID]) {
        let hosts = [ObjectID(), ObjectID()].sorted()
        let agents = hosts.enumerated().flatMap { index, host in
            [F.compute(host), F.volumer(host), F.porter(host, addresses: ["10.0.0.\(index + 11)"])]
        }
        return (agents, hosts)
    }

    @Test func aNICOnAnotherHostThanTheDHCPServerIsAlsoSentThereAndEachPorterLearnsItsPeers() throws {
        let (agents, _) = Self.twoHosts()
        let network = F.network()
        let nics = [F.nic(network: network.id!), F.nic(network: network.id!)]
        let vms = nics.map { F.vm(attaching: [$0.id!]) }
        let plan = try F.place(vms + nics + [network], on: agents).get()
        let porters = try #require(plan.placements[network.id!])
        #expect(porters.count == 2)
        let server = try #require(plan.dhcpServers[network.id!])
        #expect(porters.contains(server))
        let byID = Dictionary(uniqueKeysWithValues: agents.map { ($0.id, $0) })
        for (vm, nic) in zip(vms, nics) {
            let vmHost = byID[plan.placements[vm.id!]![0]]!.hostID
            let nicAgents = try #require(plan.placements[nic.id!])
            #expect(byID[nicAgents[0]]!.hostID == vmHost, "a NIC's first porter is on its VM's host")
            if byID[server]!.hostID == vmHost {
                #expect(nicAgents == [server])
            } else {
                #expect(nicAgents.count == 2 && nicAgents[1] == server, "and the DHCP server keeps its reservation")
                #expect(plan.assignments.contains(.init(objectID: nic.id!, agentID: server)))
            }
        }

        var objects: [ObjectID: Object] = [:]
        for object in vms + nics + [network] { objects[object.id!] = object }
        let builder = RequestBuilder(specID: 1, objects: objects, placements: plan.placements,
                                     agents: Dictionary(uniqueKeysWithValues: agents.map { ($0.id, $0.object) }),
                                     specMembers: Set(objects.keys), dhcpServers: plan.dhcpServers)
        for porter in porters {
            let request = try #require(builder.request(for: network.id!, to: porter))
            let other = try #require(porters.first { $0 != porter })
            let peers = request.object.dependencies(relation: Relation.networkPeer).map(\.object)
            #expect(peers.map(\.id) == [other])
            #expect(peers.first?.ipAddresses == byID[other]!.addresses, "the peer's underlay address, from its heartbeat")
            #expect(request.object.dependencies(relation: Relation.networkDHCPServer).map(\.object.id) == [server])
            #expect(request.object.scheduledAgent?.id == porter)
        }
        // The NIC's request to the DHCP server does not wake the VM on the other host: that one
        // waits for its own host's porter, which made the bridge it attaches to.
        let remote = try #require(zip(vms, nics).first { plan.placements[$0.1.id!]!.count == 2 })
        let reservation = try #require(builder.request(for: remote.1.id!, to: server))
        #expect(reservation.dependedBy.isEmpty)
        let local = try #require(builder.request(for: remote.1.id!, to: plan.placements[remote.1.id!]![0]))
        #expect(local.dependedBy.map(\.id) == [remote.0.id])
    }

    @Test func aNetworkOnOneHostHasNoPeersAndNoServerNamed() throws {
        let (agents, hosts) = Self.twoHosts()
        let network = F.network()
        let nic = F.nic(network: network.id!)
        let plan = try F.place([F.vm(attaching: [nic.id!]), nic, network], on: agents,
                               constraints: SchedulingConstraints(hostID: hosts[0])).get()
        #expect(plan.dhcpServers.isEmpty)
        #expect(plan.placements[nic.id!]?.count == 1)
        let builder = RequestBuilder(specID: 1, objects: [network.id!: network, nic.id!: nic], placements: plan.placements,
                                     agents: Dictionary(uniqueKeysWithValues: agents.map { ($0.id, $0.object) }),
                                     specMembers: [network.id!, nic.id!])
        let request = try #require(builder.request(for: network.id!, to: plan.placements[network.id!]![0]))
        #expect(request.object.dependencies(relation: Relation.networkPeer).isEmpty)
        #expect(request.object.dependencies(relation: Relation.networkDHCPServer).isEmpty)
    }

    @Test func theDHCPServerIsThePorterTheNetworkWasOnWhenItFirstSpansAnotherHost() throws {
        let (agents, hosts) = Self.twoHosts()
        let network = F.network()
        let first = agents[5].id  // the second host's porter: not the first in any order placement uses
        let nic = F.nic(network: network.id!)
        let plan = try F.place([F.vm(attaching: [nic.id!]), nic], on: agents, constraints: SchedulingConstraints(hostID: hosts[0]),
                               related: [network.id!: network], current: [network.id!: [first]]).get()
        #expect(Set(plan.placements[network.id!] ?? []) == [agents[2].id, first])
        #expect(plan.dhcpServers[network.id!] == first, "the porter that has the reservations keeps serving them")
        #expect(plan.placements[nic.id!] == [agents[2].id, first])
    }

    /// A kept NIC on two porters (its host's and the DHCP server's) still anchors its VM's group
    /// to one host: a volume added later goes to the VM's host, with no "conflicting hosts".
    @Test func aKeptNICOnTwoPortersAnchorsItsGroupToItsOwnHost() throws {
        let (agents, _) = Self.twoHosts()
        let network = F.network(), nic = F.nic(network: network.id!), volume = F.volume()
        let vm = F.vm(attaching: [nic.id!, volume.id!])
        let (vmHostCompute, localPorter, server) = (agents[3].id, agents[5].id, agents[2].id)
        let plan = try F.place([vm, nic, volume, network], on: agents,
                               current: [vm.id!: [vmHostCompute], nic.id!: [server, localPorter].sorted(),
                                         network.id!: [server, localPorter].sorted()],
                               dhcpServers: [network.id!: server]).get()
        #expect(plan.placements[volume.id!] == [agents[4].id], "the volume goes to the VM's host")
        #expect(plan.dhcpServers[network.id!] == server)
    }

    /// The last NIC of a network on a host that does not serve its DHCP goes: the network leaves
    /// that host (its porter there is sent the removal of its part), and the porter it keeps is
    /// told it has no peer left.
    @Test func aNetworkLeavesAHostWhoseLastNICGoesUnlessItServesDHCPThere() throws {
        let (agents, _) = Self.twoHosts()
        let (server, leg) = (agents[2].id, agents[5].id)
        let network = F.network()
        var nic = F.nic(network: network.id!, state: "deleted")
        var vm = F.vm(attaching: [nic.id!], state: "deleted")
        let current = [vm.id!: [agents[3].id], nic.id!: [leg, server].sorted(), network.id!: [leg, server].sorted()]
        let plan = try F.place([vm, nic], on: agents, related: [network.id!: network], current: current,
                               dhcpServers: [network.id!: server], networkPorts: [network.id!: [:]]).get()
        #expect(plan.placements[network.id!] == [server])
        #expect(plan.assignments.filter { $0.objectID == network.id! }.map(\.agentID) == [server],
                "the porter it keeps hears it has no peer left")
        #expect(Set(plan.assignments.filter { $0.objectID == nic.id! }.map(\.agentID)) == [leg, server],
                "the NIC's removal goes to its host's porter and to the one that keeps its reservation")

        // Another spec's NIC on that host keeps the network there.
        let other = ObjectID()
        let kept = try F.place([vm, nic], on: agents, related: [network.id!: network], current: current,
                               dhcpServers: [network.id!: server], networkPorts: [network.id!: [other: [leg, server].sorted()]]).get()
        #expect(kept.placements[network.id!] == nil, "nothing changes for the network")

        // The host that serves DHCP stays while the network has NICs elsewhere; a network with
        // no NIC left stays where it is.
        nic = F.nic(network: network.id!, state: "deleted")
        vm = F.vm(attaching: [nic.id!], state: "deleted")
        let alone = try F.place([vm, nic], on: agents, related: [network.id!: network],
                                current: [vm.id!: [agents[0].id], nic.id!: [server], network.id!: [server]],
                                networkPorts: [network.id!: [:]]).get()
        #expect(alone.placements[network.id!] == nil)
    }
}
