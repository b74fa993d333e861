import Messages
import Scheduler
import Testing

/// Placement as a pure function: which agent each object lands on, and why not when it cannot.
@Suite struct PlacementTests {
    typealias F = Fixtures
    let seedHost = ObjectID("85cf3a3a-18e4-4fe2-b406-9e79079cae07")!

    @Test func seedSpecLandsOnThePinnedHostWithOneAgentOfEachKind() throws {
        let spec = try F.seedSpec()
        let other = ObjectID()
        let pinned = F.host(seedHost, vcpus: 4, memoryGB: 8)
        let agents = F.host(other, vcpus: 64, memoryGB: 256) + pinned
        let constraints = try SchedulingConstraints(annotations: spec.annotations)
        let plan = try F.place(spec.spec, on: agents, constraints: constraints).get()

        let (vm, volume, nic, network) = (spec.spec[0].id!, spec.spec[1].id!, spec.spec[2].id!, spec.spec[3].id!)
        #expect(plan.placements[vm] == [pinned[0].id])
        #expect(plan.placements[volume] == [pinned[1].id])
        #expect(plan.placements[nic] == [pinned[2].id])
        #expect(plan.placements[network] == [pinned[2].id])
        // One request per object, in the message's order.
        #expect(plan.assignments.map(\.objectID) == [vm, volume, nic, network])
        #expect(plan.claims[vm] == ObjectClaim(agentID: pinned[0].id, resources: Resources(vcpus: 2, memoryBytes: 4 * F.gb)))
        #expect(plan.claims[volume] == ObjectClaim(agentID: pinned[1].id, resources: Resources(diskBytes: 10 * F.gb)))
        #expect(plan.claims[nic] == nil && plan.claims[network] == nil)
    }

    @Test func pinnedHostWithoutAgentsFailsWithAnActionableReason() throws {
        let spec = try F.seedSpec()
        let agents = F.host(ObjectID()) + F.host(ObjectID())
        let failure = try #require(F.place(spec.spec, on: agents, constraints: SchedulingConstraints(annotations: spec.annotations)).failure)
        let reason = "no alive agent/compute/kvm with 2 vcpus and 4gb memory free on host \(seedHost)"
        #expect(failure.summary == reason)
        // Every object of the spec fails, with the reason (the whole group needs that host).
        #expect(Set(failure.reasons.keys) == Set(spec.spec.compactMap(\.id)))
        #expect(failure.reasons[spec.spec[0].id!] == reason)
        #expect(failure.reasons[spec.spec[3].id!]?.contains(reason) == true)
    }

    @Test func sameHostKeepsUnrelatedObjectsTogether() throws {
        let (a, b) = (ObjectID(), ObjectID())
        let agents = F.host(a) + F.host(b)
        let vms = [F.vm(), F.vm()]
        let apart = try F.place(vms, on: agents).get()
        let hostsApart = Set(vms.map { apart.placements[$0.id!]!.first! })
        #expect(hostsApart.count == 2, "without same_host two VMs spread over two hosts")

        let together = try F.place(vms, on: agents, constraints: SchedulingConstraints(sameHost: true)).get()
        #expect(together.placements[vms[0].id!] == together.placements[vms[1].id!])
    }

    @Test func sameHostNeedsOneHostWithEverything() throws {
        // Compute only on one host, volumer only on the other: each exists, not together.
        let (a, b) = (ObjectID(), ObjectID())
        let volume = F.volume()
        let vm = F.vm(attaching: [volume.id!])
        let failure = try #require(F.place([vm, volume], on: [F.compute(a), F.volumer(b)]).failure)
        #expect(failure.summary.hasPrefix("no single host has alive agent/compute/kvm with 2 vcpus and 4gb memory free and agent/volumer/file with 10gb disk free together"))
    }

    @Test func aVMLandsWithItsVolumesAndNICs() throws {
        let hosts = (0..<5).map { _ in ObjectID() }
        let agents = hosts.flatMap { F.host($0) }
        let network = F.network()
        let volume = F.volume(), nic = F.nic(network: network.id!)
        let vm = F.vm(attaching: [volume.id!, nic.id!])
        let plan = try F.place([vm, volume, nic, network], on: agents).get()
        let byID = Dictionary(uniqueKeysWithValues: agents.map { ($0.id, $0) })
        let host = byID[plan.placements[vm.id!]![0]]!.hostID
        #expect(byID[plan.placements[volume.id!]![0]]!.hostID == host)
        #expect(byID[plan.placements[nic.id!]![0]]!.hostID == host)
        #expect(byID[plan.placements[network.id!]![0]]!.hostID == host)
    }

    @Test func hostIDPinsEvenWhenOtherHostsAreFreer() throws {
        let pinned = ObjectID()
        let agents = F.host(ObjectID(), vcpus: 128, memoryGB: 512) + F.host(pinned, vcpus: 2, memoryGB: 4)
        let vm = F.vm()
        let plan = try F.place([vm], on: agents, constraints: SchedulingConstraints(hostID: pinned)).get()
        #expect(plan.placements[vm.id!] == [agents[3].id])
    }

    @Test func capacityFiltersHostsAndCountsClaims() throws {
        let (small, busy, roomy) = (ObjectID(), ObjectID(), ObjectID())
        let agents = [
            F.compute(small, vcpus: 1, memoryGB: 64),
            F.compute(busy, vcpus: 16, memoryGB: 64, claimed: Resources(vcpus: 15, memoryBytes: 0)),
            F.compute(roomy, vcpus: 4, memoryGB: 4),
        ]
        let vm = F.vm(vcpus: 2, memoryGB: 4)
        let plan = try F.place([vm], on: agents).get()
        #expect(plan.placements[vm.id!] == [agents[2].id])

        let big = F.vm(vcpus: 2, memoryGB: 8)
        let failure = try #require(F.place([big], on: agents).failure)
        #expect(failure.summary.hasPrefix("no alive agent/compute/kvm with 2 vcpus and 8gb memory free"))
        #expect(failure.summary.contains("the one with the most free has"))
    }

    @Test func volumesNeedDiskOnTheVolumer() throws {
        let host = ObjectID()
        let failure = try #require(F.place([F.volume(sizeGB: 20)], on: [F.volumer(host, diskGB: 10)]).failure)
        #expect(failure.summary == "no alive agent/volumer/file with 20gb disk free; the one with the most free has 10gb disk free")
    }

    @Test func anAgentWithoutReportedCapacityOffersNothing() throws {
        let agent = RegisteredAgent(id: ObjectID(), type: .agentComputeKVM, hostID: ObjectID(), alive: true, capacity: Resources(capacity: nil))
        #expect(F.place([F.vm()], on: [agent]).failure != nil)
    }

    @Test func deadAgentsGetNothing() throws {
        let vm = F.vm()
        let failure = try #require(F.place([vm], on: [F.compute(ObjectID(), alive: false)]).failure)
        #expect(failure.summary == "no alive agent/compute/kvm with 2 vcpus and 4gb memory free")
    }

    @Test func spreadsByFreeShareAcrossHosts() throws {
        var agents = (0..<3).map { _ in F.compute(ObjectID(), vcpus: 8, memoryGB: 32) }
        var used: [ObjectID: Int] = [:]
        // Six VMs, one spec each, claims carried over as the store would: two per host.
        for _ in 0..<6 {
            let vm = F.vm(vcpus: 2, memoryGB: 4)
            let plan = try F.place([vm], on: agents).get()
            let chosen = plan.placements[vm.id!]![0]
            used[chosen, default: 0] += 1
            let index = agents.firstIndex { $0.id == chosen }!
            agents[index].claimed += plan.claims[vm.id!]!.resources
        }
        #expect(used.values.sorted() == [2, 2, 2])
        // A half-used big host is preferred to a nearly full small one.
        let big = F.compute(ObjectID(), vcpus: 32, memoryGB: 128, claimed: Resources(vcpus: 16, memoryBytes: 64 * F.gb))
        let small = F.compute(ObjectID(), vcpus: 4, memoryGB: 16, claimed: Resources(vcpus: 1, memoryBytes: 4 * F.gb))
        let vm = F.vm(vcpus: 2, memoryGB: 4)
        #expect(try F.place([vm], on: [small, big]).get().placements[vm.id!] == [big.id])
    }

    @Test func reschedulingAvoidsTheAgentsThatFailed() throws {
        let (a, b) = (ObjectID(), ObjectID())
        let failed = F.compute(a, vcpus: 64, memoryGB: 256)
        let other = F.compute(b, vcpus: 4, memoryGB: 8)
        let vm = F.vm()
        let constraints = SchedulingConstraints(rescheduling: true, avoidAgents: [failed.id])
        let plan = try F.place([vm], on: [failed, other], constraints: constraints,
                               current: [vm.id!: [failed.id]],
                               claims: [vm.id!: ObjectClaim(agentID: failed.id, resources: vm.demand)]).get()
        #expect(plan.placements[vm.id!] == [other.id])
        #expect(plan.claims[vm.id!]?.agentID == other.id)

        let failure = try #require(F.place([vm], on: [failed], constraints: constraints, current: [vm.id!: [failed.id]]).failure)
        #expect(failure.summary == "no alive agent/compute/kvm with 2 vcpus and 4gb memory free other than agent \(failed.id), which failed this object before")
    }

    @Test func reschedulingPlacesOnlyTheFailedObjectsAndKeepsTheRestWhereTheyAre() throws {
        let (a, b) = (ObjectID(), ObjectID())
        let hostA = F.host(a), hostB = F.host(b)
        let secondVolumer = F.volumer(a)
        let volume = F.volume()
        let vm = F.vm(attaching: [volume.id!])
        // The VM stays on host A; its volume failed on A's first volumer and must stay on A.
        let constraints = SchedulingConstraints(rescheduling: true, avoidAgents: [hostA[1].id])
        let plan = try F.place([volume], on: hostA + hostB + [secondVolumer], constraints: constraints,
                               related: [vm.id!: vm], siblings: [vm.id!],
                               current: [vm.id!: [hostA[0].id], volume.id!: [hostA[1].id]]).get()
        #expect(plan.placements[volume.id!] == [secondVolumer.id])
        #expect(plan.assignments == [.init(objectID: volume.id!, agentID: secondVolumer.id)])
        #expect(plan.placements[vm.id!] == nil, "the VM is not scheduled again")

        let failure = try #require(F.place([volume], on: hostA + hostB, constraints: constraints,
                                           related: [vm.id!: vm], current: [vm.id!: [hostA[0].id]]).failure)
        #expect(failure.summary.hasPrefix("no alive agent/volumer/file with 10gb disk free on host \(a) other than agent \(hostA[1].id)"))
    }

    @Test func placedObjectsStayAndMayGrowOnlyIntoFreeCapacity() throws {
        let agent = F.compute(ObjectID(), vcpus: 4, memoryGB: 8, claimed: Resources(vcpus: 4, memoryBytes: 8 * F.gb))
        let other = F.compute(ObjectID(), vcpus: 64, memoryGB: 256)
        let old = F.vm(vcpus: 2, memoryGB: 4)
        let claim = ObjectClaim(agentID: agent.id, resources: old.demand)
        var poweroff = old
        poweroff.desiredState = "poweroff"
        let plan = try F.place([poweroff], on: [agent, other], current: [old.id!: [agent.id]], claims: [old.id!: claim]).get()
        #expect(plan.placements[old.id!] == [agent.id], "a changed VM is not moved")
        #expect(plan.claims[old.id!] == claim)

        var bigger = old
        bigger.vcpus = 4
        let failure = try #require(F.place([bigger], on: [agent, other], current: [old.id!: [agent.id]], claims: [old.id!: claim]).failure)
        #expect(failure.summary.contains("has 2 vcpus and 4gb memory free, not enough for vm (\(old.id!)) to grow to 4 vcpus and 4gb memory"))
    }

    @Test func removedObjectsGoToTheirAgentsAndReleaseTheirClaims() throws {
        let volumer = F.volumer(ObjectID())
        let placed = F.volume(state: "deleted")
        let never = F.volume(state: "destroyed")
        let plan = try F.place([placed, never], on: [], current: [placed.id!: [volumer.id]],
                               claims: [placed.id!: ObjectClaim(agentID: volumer.id, resources: placed.demand)]).get()
        #expect(plan.assignments == [.init(objectID: placed.id!, agentID: volumer.id)])
        #expect(plan.released == [placed.id!])
        #expect(plan.claims.isEmpty)
        #expect(plan.nothingToDo == [never.id!])
    }

    @Test func aNetworkGoesToThePorterOfEveryHostWithOneOfItsNICs() throws {
        let (a, b) = (ObjectID(), ObjectID())
        let agents = F.host(a) + F.host(b)
        let network = F.network()
        let nics = [F.nic(network: network.id!), F.nic(network: network.id!)]
        let vms = nics.map { F.vm(attaching: [$0.id!]) }
        let plan = try F.place(vms + nics + [network], on: agents).get()
        #expect(Set(plan.placements[network.id!]!) == [agents[2].id, agents[5].id])
        #expect(plan.assignments.filter { $0.objectID == network.id! }.count == 2)
        let server = try #require(plan.dhcpServers[network.id!])

        // A later NIC on a third host brings the (already placed) network there too; every porter
        // of it hears, since its overlay gains a peer, and its DHCP server stays.
        let c = ObjectID()
        let third = F.host(c)
        let nic = F.nic(network: network.id!)
        let vm = F.vm(attaching: [nic.id!])
        let later = try F.place([vm, nic], on: agents + third, constraints: SchedulingConstraints(hostID: c),
                                related: [network.id!: network], current: [network.id!: [agents[2].id, agents[5].id]],
                                dhcpServers: [network.id!: server]).get()
        #expect(later.placements[network.id!].map(Set.init) == [agents[2].id, agents[5].id, third[2].id])
        #expect(Set(later.assignments.filter { $0.objectID == network.id! }.map(\.agentID))
            == [agents[2].id, agents[5].id, third[2].id])
        #expect(later.dhcpServers[network.id!] == server)
        #expect(later.placements[nic.id!] == [third[2].id, server], "its own host's porter, and the DHCP server for its reservation")
    }

    @Test func aNICNeedsAPorterOnItsVMsHost() throws {
        let host = ObjectID()
        let network = F.network()
        let nic = F.nic(network: network.id!)
        let vm = F.vm(attaching: [nic.id!])
        let failure = try #require(F.place([vm, nic, network], on: [F.compute(host), F.porter(ObjectID())]).failure)
        #expect(failure.summary.hasPrefix("no single host has alive agent/compute/kvm with 2 vcpus and 4gb memory free and agent/porter/vlan together"))
    }

    @Test func anUnknownDependencyIsNamed() throws {
        let missing = ObjectID()
        let vm = F.vm(attaching: [missing])
        let volume = F.volume()
        let failure = try #require(F.place([vm, volume], on: F.host(ObjectID())).failure)
        #expect(failure.reasons[vm.id!] == "depends on \(missing), which is neither in this spec nor in the resource graph")
        #expect(failure.reasons[volume.id!]?.hasPrefix("not scheduled because other objects of this spec cannot be placed: depends on") == true)
    }

    @Test func constraintsAreReadFromAnnotations() throws {
        let agent = ObjectID(), other = ObjectID()
        let constraints = try SchedulingConstraints(annotations: [
            Annotations.sameHost: true, Annotations.hostID: .string(seedHost.description),
            Annotations.rescheduling: "with_error", Annotations.avoidAgents: .string("\(agent), \(other),"),
        ])
        #expect(constraints == SchedulingConstraints(sameHost: true, hostID: seedHost, rescheduling: true, avoidAgents: [agent, other]))
        #expect(try SchedulingConstraints(annotations: nil) == SchedulingConstraints())
        #expect(throws: ConstraintError.self) { try SchedulingConstraints(annotations: [Annotations.hostID: "not-a-host"]) }
        #expect(throws: ConstraintError.self) { try SchedulingConstraints(annotations: [Annotations.sameHost: 3]) }
    }

    /// Placement keeps an object on its agent and sends a removal where the object is, whether
    /// that agent is alive or not; the plan then says which of its Requests would wait in a
    /// silent agent's queue, so the scheduler holds the spec instead.
    @Test func requestsToAnAgentThatIsNotAliveAreNamed() throws {
        let host = ObjectID()
        let silent = F.volumer(host, alive: false)
        let alive = F.compute(host)
        let removed = F.volume(state: "deleted")
        let kept = F.vm(vcpus: 2, memoryGB: 4)
        let plan = try F.place([removed, kept], on: [silent, alive],
                               current: [removed.id!: [silent.id], kept.id!: [alive.id]]).get()
        let absent = try #require(plan.absentAgents(among: [silent.id: silent, alive.id: alive]))
        #expect(Set(absent.reasons.keys) == [removed.id!])
        #expect(absent.summary == "agent/volumer/file \(silent.id) on host \(host) sends no heartbeats; what it holds waits for it to come back")
        #expect(plan.absentAgents(among: [alive.id: alive]) == nil, "an agent the snapshot does not know is not waited for")

        let keptOnly = try F.place([kept], on: [silent, alive], current: [kept.id!: [alive.id]]).get()
        #expect(keptOnly.absentAgents(among: [silent.id: silent, alive.id: alive]) == nil)
    }

    /// A same-host spec moved off a hypervisor whose compute agent is dead: its network follows
    /// its NIC to the new host and is no longer placed on the porter left behind.
    @Test func aNetworkPlacedAgainFollowsItsNICsAndLeavesTheOldPorter() throws {
        let (a, b) = (ObjectID(), ObjectID())
        let oldPorter = F.porter(a)
        let agents = [F.compute(a, alive: false), F.volumer(a), oldPorter] + F.host(b)
        let network = F.network()
        let nic = F.nic(network: network.id!)
        let vm = F.vm(attaching: [nic.id!])
        let constraints = SchedulingConstraints(sameHost: true, rescheduling: true)
        let plan = try F.place([vm, nic, network], on: agents, constraints: constraints,
                               current: [vm.id!: [agents[0].id], nic.id!: [oldPorter.id], network.id!: [oldPorter.id]]).get()
        let newPorter = agents[5].id
        #expect(plan.placements[nic.id!] == [newPorter])
        #expect(plan.placements[network.id!] == [newPorter])
        #expect(plan.assignments.filter { $0.objectID == network.id! }.map(\.agentID) == [newPorter])
    }

    /// A network placed again where its NIC stays keeps its porter, and gets its Request again
    /// there: the porter may be the one it failed on.
    @Test func aNetworkPlacedAgainWhereItsNICStaysIsSentToItsPorterAgain() throws {
        let a = ObjectID()
        let agents = F.host(a)
        let porter = agents[2]
        let network = F.network()
        let nic = F.nic(network: network.id!)
        let plan = try F.place([network], on: agents, constraints: SchedulingConstraints(rescheduling: true),
                               related: [nic.id!: nic], current: [nic.id!: [porter.id], network.id!: [porter.id]]).get()
        #expect(plan.placements[network.id!] == [porter.id])
        #expect(plan.assignments == [.init(objectID: network.id!, agentID: porter.id)])
    }
}
