import Messages
import Scheduler
import Testing

/// `n0stack/scheduling/different_host`: each VM of a spec on a host of its own, with its volumes
/// and NICs beside it, whether the other VMs are placed now or were placed by an earlier version.
@Suite struct DifferentHostPlacementTests {
    typealias F = Fixtures
    let apart = SchedulingConstraints(differentHost: true)

    /// A VM with a volume and a NIC on `network`: the VM first.
    static func vmWithVolumeAndNIC(network: ObjectID) -> [Object] {
        let volume = F.volume(), nic = F.nic(network: network)
        return [F.vm(attaching: [volume.id!, nic.id!]), volume, nic]
    }

    static func host(of id: ObjectID, in plan: PlacementPlan, agents: [RegisteredAgent]) -> ObjectID? {
        plan.placements[id].flatMap { placed in agents.first { $0.id == placed.first }?.hostID }
    }

    @Test func twoVMsLandOnTwoHostsEachWithItsVolumeAndNIC() throws {
        // The big host stays the freer one after taking a VM, so spread alone puts both there.
        let (big, small) = (ObjectID(), ObjectID())
        let agents = F.host(big, vcpus: 64, memoryGB: 256) + F.host(small, vcpus: 8, memoryGB: 32)
        let network = F.network()
        let first = Self.vmWithVolumeAndNIC(network: network.id!), second = Self.vmWithVolumeAndNIC(network: network.id!)
        let objects = first + second + [network]

        let spread = try F.place(objects, on: agents).get()
        #expect(Self.host(of: first[0].id!, in: spread, agents: agents) == big)
        #expect(Self.host(of: second[0].id!, in: spread, agents: agents) == big)

        let plan = try F.place(objects, on: agents, constraints: apart).get()
        let hosts = [first, second].map { Self.host(of: $0[0].id!, in: plan, agents: agents) }
        #expect(Set(hosts.compactMap { $0 }) == [big, small])
        for (group, host) in zip([first, second], hosts) {
            #expect(Self.host(of: group[1].id!, in: plan, agents: agents) == host, "the volume is on its VM's host")
            #expect(Self.host(of: group[2].id!, in: plan, agents: agents) == host, "the NIC is on its VM's host")
        }
        // The network both NICs share is brought to the porter of each of their hosts.
        #expect(Set(plan.placements[network.id!] ?? []) == [agents[2].id, agents[5].id])
        #expect(plan.assignments.filter { $0.objectID == network.id! }.count == 2)
    }

    @Test func threeVMsOnTwoHostsFailNamingTheAnnotationAndTheNumbers() throws {
        let agents = F.host(ObjectID()) + F.host(ObjectID())
        let network = F.network()
        let objects = (0..<3).flatMap { _ in Self.vmWithVolumeAndNIC(network: network.id!) } + [network]
        let failure = try #require(F.place(objects, on: agents, constraints: apart).failure)
        let reason = "n0stack/scheduling/different_host: the spec's 3 VMs need 3 different hosts with room; "
            + "only 2 hosts have the agents and free capacity for them"
        #expect(failure.summary == reason)
        #expect(failure.reasons[objects[6].id!] == reason, "the third VM")
        #expect(failure.reasons[objects[7].id!] == reason, "the third VM's volume")
        #expect(Set(failure.reasons.keys) == Set(objects.compactMap(\.id)), "nothing of the spec is placed")

        // No host joining later changes it from the agents there are: it fails at once.
        let request = PlacementRequest(specID: 1, objects: objects, constraints: apart)
        #expect(PlacementOutlook.judge(request, failure: failure, everyAgent: agents) == .impossible(failure))
    }

    @Test func aVMThatFitsNowhereKeepsItsCapacityReason() throws {
        let agents = F.host(ObjectID(), vcpus: 4) + F.host(ObjectID(), vcpus: 4)
        let failure = try #require(F.place([F.vm(vcpus: 8)], on: agents, constraints: apart).failure)
        #expect(failure.summary.hasPrefix("no alive agent/compute/kvm with 8 vcpus and 4gb memory free"))
    }

    @Test func aLaterVMAvoidsTheHostsOfTheSpecsPlacedVMs() throws {
        // Two big hosts hold the spec's VMs (one changed in this version, one a sibling left
        // alone); the new VM must take the small third host, though the big ones are freer.
        let (a, b, c) = (ObjectID(), ObjectID(), ObjectID())
        let hostA = F.host(a, vcpus: 64, memoryGB: 256), hostB = F.host(b, vcpus: 64, memoryGB: 256)
        let hostC = F.host(c, vcpus: 8, memoryGB: 32)
        let agents = hostA + hostB + hostC
        let kept = F.vm(), sibling = F.vm(), new = F.vm()
        let current = [kept.id!: [hostA[0].id], sibling.id!: [hostB[0].id]]
        let claims = [kept.id!: ObjectClaim(agentID: hostA[0].id, resources: kept.demand)]

        let plan = try F.place([kept, new], on: agents, constraints: apart, related: [sibling.id!: sibling],
                               siblings: [sibling.id!], current: current, claims: claims).get()
        #expect(plan.placements[kept.id!] == [hostA[0].id], "a placed VM stays")
        #expect(plan.placements[new.id!] == [hostC[0].id])

        let failure = try #require(F.place([kept, new], on: hostA + hostB, constraints: apart, related: [sibling.id!: sibling],
                                           siblings: [sibling.id!], current: current, claims: claims).failure)
        #expect(failure.summary.hasPrefix("n0stack/scheduling/different_host: the spec's 3 VMs need 3 different hosts with room; only 2 hosts have"))
        #expect(failure.reasons[new.id!] == failure.summary)

        // A VM of another spec on host C is no obstacle.
        let stranger = F.vm()
        let beside = try F.place([new], on: hostA + hostC, constraints: apart, related: [stranger.id!: stranger],
                                 current: [stranger.id!: [hostA[0].id]]).get()
        #expect(beside.placements[new.id!] == [hostA[0].id])
    }

    @Test func aRescheduledVMAvoidsTheAgentThatFailedAndItsSiblingsHosts() throws {
        let (a, b, c) = (ObjectID(), ObjectID(), ObjectID())
        let hostA = F.host(a), hostB = F.host(b, vcpus: 64, memoryGB: 256), hostC = F.host(c, vcpus: 8, memoryGB: 32)
        let failed = F.vm(), sibling = F.vm()
        var constraints = apart
        constraints.rescheduling = true
        constraints.avoidAgents = [hostA[0].id]
        let plan = try F.place([failed], on: hostA + hostB + hostC, constraints: constraints, related: [sibling.id!: sibling],
                               siblings: [sibling.id!], current: [failed.id!: [hostA[0].id], sibling.id!: [hostB[0].id]]).get()
        #expect(plan.placements[failed.id!] == [hostC[0].id])
    }

    @Test func aPinnedHostHoldsOneVM() throws {
        let pinned = ObjectID()
        let agents = F.host(pinned) + F.host(ObjectID())
        var constraints = apart
        constraints.hostID = pinned
        let one = F.vm()
        #expect(try F.place([one], on: agents, constraints: constraints).get().placements[one.id!] == [agents[0].id])

        let failure = try #require(F.place([F.vm(), F.vm()], on: agents, constraints: constraints).failure)
        #expect(failure.summary == "n0stack/scheduling/different_host: the spec's 2 VMs need 2 different hosts with room; "
            + "only 1 host has the agents and free capacity for them (this VM can only go to host \(pinned), "
            + "where n0stack/scheduling/host_id or the objects it is attached to put it)")
    }

    @Test func vmsSharingAVolumeCannotBeApart() throws {
        let volume = F.volume()
        let vms = [F.vm(attaching: [volume.id!]), F.vm(attaching: [volume.id!])]
        let failure = try #require(F.place(vms + [volume], on: F.host(ObjectID()) + F.host(ObjectID()), constraints: apart).failure)
        #expect(failure.summary == "n0stack/scheduling/different_host: VMs vm (\(vms[0].id!)), vm (\(vms[1].id!)) are attached "
            + "to the same objects, which keeps them on one host")
    }

    @Test func readFromAnnotationsAndNeverWithSameHost() throws {
        #expect(try SchedulingConstraints(annotations: [Annotations.differentHost: true]) == apart)
        #expect(try SchedulingConstraints(annotations: [Annotations.differentHost: "TRUE"]) == apart)
        #expect(try SchedulingConstraints(annotations: [Annotations.differentHost: false, Annotations.sameHost: true])
            == SchedulingConstraints(sameHost: true))
        #expect(throws: ConstraintError.self) { try SchedulingConstraints(annotations: [Annotations.differentHost: 1]) }
        let both = #expect(throws: ConstraintError.self) {
            try SchedulingConstraints(annotations: [Annotations.differentHost: true, Annotations.sameHost: true])
        }
        #expect(both?.description == "annotation n0stack/scheduling/different_host: true is not valid; expected false while "
            + "n0stack/scheduling/same_host is true (one host for all cannot be a host each)")
    }
}
