import Messages
import TestSupport
import Testing

@testable import Scheduler

/// A snapshot kept between specs takes the claims that changed since, one agent at a time,
/// instead of being built again: after any sequence of such changes its index and its
/// decisions are those of a snapshot built from scratch on the same agents.
@Suite("Host index updated in place")
struct HostIndexUpdateTests {
    static let types: [ObjectType] = [.agentComputeKVM, .agentVolumerFile, .agentPorterVLAN]

    /// A type's ranking by host id (positions differ between two builds of the same agents).
    static func ranking(_ index: HostIndex, _ type: ObjectType) -> [String] {
        let ranking = index.ranking(of: type)
        return ranking.entries.map { "\(index.hosts[index.rank[$0.position]]) \($0.share)" }
            + ["largest \(ranking.largestCapacity.description)", "at cap \(ranking.agentsAtCap)"]
    }

    @Test("claims set one agent at a time leave the index and the decisions of a fresh build", arguments: 1...30)
    func sameAsAFreshBuild(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        var agents: [RegisteredAgent] = []
        let levels: [Double] = [0, 0.25, 0.5, 0.75, 1]
        func used(_ whole: Int64) -> Int64 { Int64(Double(whole) * levels[random.next(levels.count)]) }
        for _ in 0..<40 {
            let host = ObjectID()
            for _ in 0...random.next(2) {
                agents.append(Fixtures.compute(host, vcpus: [8, 16][random.next(2)], memoryGB: 64, alive: random.next(6) != 0,
                                               claimed: Resources(vcpus: Int(used(8)), memoryBytes: used(64) * Fixtures.gb)))
            }
            agents.append(Fixtures.volumer(host, diskGB: 1000, claimed: Resources(diskBytes: used(1000) * Fixtures.gb)))
            if random.next(8) != 0 { agents.append(Fixtures.porter(host)) }
        }
        var kept = PlacementSnapshot(agents: agents)
        for _ in 0..<60 {
            // A few agents' claims change, as one spec's transaction sees them: some grow, some
            // shrink, one may go beyond its capacity (an agent that reported less since).
            var changes: [ObjectID: Resources] = [:]
            for _ in 0...random.next(3) {
                let agent = agents[random.next(agents.count)]
                changes[agent.id] = agent.type == .agentVolumerFile
                    ? Resources(diskBytes: used(1200) * Fixtures.gb)
                    : Resources(vcpus: Int(used(20)), memoryBytes: used(64) * Fixtures.gb)
            }
            kept.setClaimed(changes)
            agents = agents.map { agent in
                var agent = agent
                if let claimed = changes[agent.id] { agent.claimed = claimed }
                return agent
            }
            let fresh = PlacementSnapshot(agents: agents)
            #expect(kept == fresh)
            for type in Self.types {
                #expect(Self.ranking(kept.index, type) == Self.ranking(fresh.index, type), "seed \(seed), \(type.rawValue)")
            }
        }

        let network = Fixtures.network()
        let volume = Fixtures.volume(sizeGB: 50)
        let nic = Fixtures.nic(network: network.id!)
        let request = PlacementRequest(
            specID: 1, objects: [Fixtures.vm(vcpus: 2, memoryGB: 8, attaching: [volume.id!, nic.id!]), volume, nic, network],
            related: [:], siblings: [], current: [:], claims: [:], dhcpServers: [:], networkPorts: [:],
            constraints: SchedulingConstraints())
        let decided = Placement.place(request, in: kept), expected = Placement.place(request, in: PlacementSnapshot(agents: agents))
        #expect((try? decided.get())?.placements == (try? expected.get())?.placements)
        #expect(decided.failure?.summary == expected.failure?.summary)
    }

    @Test func anAgentTheSnapshotDoesNotHoldIsSkipped() {
        let host = ObjectID()
        var snapshot = PlacementSnapshot(agents: [Fixtures.compute(host)])
        let before = snapshot
        snapshot.setClaimed([ObjectID(): Resources(vcpus: 4)])
        #expect(snapshot == before)
    }
}
