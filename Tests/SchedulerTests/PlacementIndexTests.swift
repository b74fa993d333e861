import Messages
import Scheduler
import TestSupport
import Testing

/// Placement reads hosts down rankings instead of scoring every host; these check, on random
/// fleets with ties, differing capacities, dead and avoided agents and hosts lacking a kind of
/// agent, that it picks exactly the agents a full scan in host order picks.
@Suite("Placement index")
struct PlacementIndexTests {
    /// A VM with its volume and NIC: one group, needing all three kinds of agent.
    struct Group {
        let vm: Object
        let volume: Object
        let nic: Object
    }

    @Test("groups of one spec land where a full scan in host order, claiming as it goes, puts them", arguments: 1...40)
    func sameAsFullScan(seed: UInt64) throws {
        try check(seed: seed, differentHost: false)
    }

    @Test("under different_host, each VM lands where a full scan that skips the spec's other VMs' hosts puts it",
          arguments: 1...40)
    func sameAsFullScanKeepingVMsApart(seed: UInt64) throws {
        try check(seed: seed, differentHost: true)
    }

    func check(seed: UInt64, differentHost: Bool) throws {
        var random = SeededGenerator(seed: seed)
        var agents: [RegisteredAgent] = []
        // Few distinct levels, so many hosts tie and the host order has to decide.
        let levels: [Double] = [0, 0.25, 0.5, 0.75]
        for _ in 0..<60 {
            let host = ObjectID()
            for _ in 0...random.next(2) {
                // Capacities differ, so what a demand takes off a share differs between agents.
                let (vcpus, memoryGB) = [(16, Int64(64)), (32, 64), (16, 128)][random.next(3)]
                let (usedVCPUs, usedMemory) = (levels[random.next(levels.count)], levels[random.next(levels.count)])
                agents.append(Fixtures.compute(host, vcpus: vcpus, memoryGB: memoryGB, alive: random.next(8) != 0,
                                               claimed: Resources(vcpus: Int(Double(vcpus) * usedVCPUs),
                                                                  memoryBytes: Int64(Double(memoryGB) * usedMemory) * Fixtures.gb)))
            }
            let used = levels[random.next(levels.count)]
            agents.append(Fixtures.volumer(host, diskGB: 1000, claimed: Resources(diskBytes: Int64(1000 * used) * Fixtures.gb)))
            if random.next(10) != 0 { agents.append(Fixtures.porter(host)) }
        }
        let avoided = Set((0..<3).map { _ in agents[random.next(agents.count)].id })
        let network = Fixtures.network()
        let groups = (0..<3).map { _ in
            let volume = Fixtures.volume(sizeGB: UInt64(50 * (1 + random.next(4))))
            let nic = Fixtures.nic(network: network.id!)
            return Group(vm: Fixtures.vm(vcpus: 2 * (1 + random.next(4)), memoryGB: 8, attaching: [volume.id!, nic.id!]),
                         volume: volume, nic: nic)
        }
        let objects = groups.flatMap { [$0.vm, $0.volume, $0.nic] } + [network]
        var constraints = SchedulingConstraints(avoidAgents: avoided)
        constraints.differentHost = differentHost
        let result = Fixtures.place(objects, on: agents, constraints: constraints)
        let expected = fullScan(groups, agents: agents, avoided: avoided, apart: differentHost)
        let plan = try #require(try? result.get())
        #expect(expected.count == groups.count)
        for (group, chosen) in zip(groups, expected) {
            #expect(plan.placements[group.vm.id!] == [chosen.compute])
            #expect(plan.placements[group.volume.id!] == [chosen.volumer])
            // Its own host's porter first; the shared network's DHCP server after it when that
            // is on another host (it keeps the reservation).
            #expect(plan.placements[group.nic.id!]?.first == chosen.porter)
        }
    }

    /// The rule as written, one host after the other: the host whose chosen agents are left
    /// with the largest smallest share of free capacity wins, the first among equals; `apart`
    /// skips the hosts earlier groups went to.
    func fullScan(_ groups: [Group], agents: [RegisteredAgent], avoided: Set<ObjectID>, apart: Bool = false)
        -> [(compute: ObjectID, volumer: ObjectID, porter: ObjectID)] {
        var taken = Set<ObjectID>()
        var claimed = Dictionary(uniqueKeysWithValues: agents.map { ($0.id, $0.claimed) })
        let hosts = Set(agents.map(\.hostID)).sorted()
        func share(_ free: Resources, _ capacity: Resources) -> Double {
            var share = 1.0
            if capacity.vcpus > 0 { share = min(share, Double(free.vcpus) / Double(capacity.vcpus)) }
            if capacity.memoryBytes > 0 { share = min(share, Double(free.memoryBytes) / Double(capacity.memoryBytes)) }
            if capacity.diskBytes > 0 { share = min(share, Double(free.diskBytes) / Double(capacity.diskBytes)) }
            return share
        }
        func best(_ type: ObjectType, on host: ObjectID, demand: Resources) -> (RegisteredAgent, Double)? {
            var best: (RegisteredAgent, Double)?
            for agent in agents.filter({ $0.hostID == host && $0.type == type }).sorted(by: { $0.id < $1.id })
            where agent.alive && !avoided.contains(agent.id) {
                let free = agent.capacity - claimed[agent.id]!
                guard demand.fits(in: free) else { continue }
                let score = share(free - demand, agent.capacity)
                if best == nil || score > best!.1 { best = (agent, score) }
            }
            return best
        }
        var chosen: [(compute: ObjectID, volumer: ObjectID, porter: ObjectID)] = []
        for group in groups {
            var winner: (score: Double, agents: [RegisteredAgent])?
            for host in hosts where !taken.contains(host) {
                guard let compute = best(.agentComputeKVM, on: host, demand: group.vm.demand),
                      let volumer = best(.agentVolumerFile, on: host, demand: group.volume.demand),
                      let porter = best(.agentPorterVLAN, on: host, demand: .zero) else { continue }
                let score = min(compute.1, volumer.1, porter.1)
                if winner == nil || score > winner!.score { winner = (score, [compute.0, volumer.0, porter.0]) }
            }
            guard let agents = winner?.agents else { break }
            if apart { taken.insert(agents[0].hostID) }
            claimed[agents[0].id]! += group.vm.demand
            claimed[agents[1].id]! += group.volume.demand
            chosen.append((agents[0].id, agents[1].id, agents[2].id))
        }
        return chosen
    }
}
