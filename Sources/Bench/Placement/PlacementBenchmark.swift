import Foundation
import Messages
import Scheduler

/// `Placement.place` for the seed's spec (VM, volume, NIC, network under `same_host`) on a
/// synthetic fleet of many hosts: the pure decision the scheduler makes per spec, without the
/// database reads around it.
public enum PlacementBenchmark {
    /// `hosts` hosts with one agent of each kind, all alive, with the simulated hypervisors'
    /// capacity, and claims drawn from a fixed-seed generator (0–80 % used) so hosts differ and
    /// the choice of the emptiest one has work to do.
    public static func snapshot(hosts: Int, seed: UInt64 = 0x5eed) -> PlacementSnapshot {
        var random = SplitMix64(seed: seed)
        var agents: [RegisteredAgent] = []
        agents.reserveCapacity(hosts * 3)
        let compute = Resources(vcpus: 64, memoryBytes: 256 << 30)
        let volumes = Resources(diskBytes: 10 << 40)
        for _ in 0..<hosts {
            let host = random.nextID()
            let used = random.nextFraction() * 0.8
            agents.append(RegisteredAgent(
                id: random.nextID(), type: .agentComputeKVM, hostID: host, alive: true, capacity: compute,
                claimed: Resources(vcpus: Int(Double(compute.vcpus) * used),
                                   memoryBytes: Int64(Double(compute.memoryBytes) * used))))
            agents.append(RegisteredAgent(
                id: random.nextID(), type: .agentVolumerFile, hostID: host, alive: true, capacity: volumes,
                claimed: Resources(diskBytes: Int64(Double(volumes.diskBytes) * random.nextFraction() * 0.8))))
            agents.append(RegisteredAgent(id: random.nextID(), type: .agentPorterVLAN, hostID: host, alive: true,
                                          capacity: .zero))
        }
        return PlacementSnapshot(agents: agents)
    }

    /// The request the scheduler builds from seed 3's `Spec` message (without the host pin).
    public static func seedRequest() throws -> PlacementRequest {
        let message = try MessageCodec.decode(SpecMessage.self, from: BenchDocuments.seedSpecMessage, format: .yaml)
        return PlacementRequest(specID: message.id, objects: message.spec,
                                constraints: try SchedulingConstraints(annotations: message.annotations))
    }

    /// Places the seed's spec `iterations` times (after `warmup` unrecorded calls), or as many
    /// times as fit in `budget`, whichever is fewer.
    /// - Throws: ``BenchError`` when placement fails: a benchmark of a wrong answer is worthless.
    public static func run(hosts: Int, iterations: Int, warmup: Int = 10, budget: Duration = .seconds(30)) throws -> PlacementResult {
        let snapshot = snapshot(hosts: hosts)
        let request = try seedRequest()
        var timings: [Duration] = []
        timings.reserveCapacity(iterations)
        let clock = ContinuousClock()
        let stop = clock.now + budget
        for index in 0..<(warmup + iterations) {
            let start = clock.now
            let result = Placement.place(request, in: snapshot)
            let elapsed = clock.now - start
            guard case .success(let plan) = result else {
                throw BenchError("placement failed on \(hosts) hosts: \(result)")
            }
            guard plan.scheduledObjects.count == request.objects.count else {
                throw BenchError("placement on \(hosts) hosts scheduled \(plan.scheduledObjects.count) of \(request.objects.count) objects")
            }
            if index >= warmup { timings.append(elapsed) }
            if clock.now >= stop && timings.count >= 10 { break }
        }
        return PlacementResult(hosts: hosts, agents: snapshot.agents.count, objects: request.objects.count,
                               iterations: timings.count, perCall: LatencySummary(timings),
                               snapshotBuild: snapshotBuild(snapshot, times: min(20, iterations)),
                               snapshotUpdate: snapshotUpdate(snapshot, times: min(200, iterations)))
    }
}

extension PlacementBenchmark {
    /// Building the snapshot from the agents, as the scheduler does once per spec: it indexes
    /// the hosts (``PlacementSnapshot``), so this is the per-spec cost the calls above leave out.
    static func snapshotBuild(_ snapshot: PlacementSnapshot, times: Int) -> LatencySummary {
        let agents = Array(snapshot.agents.values)
        let clock = ContinuousClock()
        var timings: [Duration] = []
        for _ in 0..<max(1, times) {
            let start = clock.now
            let built = PlacementSnapshot(agents: agents)
            timings.append(clock.now - start)
            // Used, so the build cannot be optimized away.
            precondition(built.agents.count == agents.count)
        }
        return LatencySummary(timings)
    }
}

extension PlacementBenchmark {
    /// Bringing a kept snapshot up to date, as the scheduler does once per spec when it kept the
    /// snapshot from an earlier one (`RegistryCache`): every agent's claim total as just read
    /// is compared, and the two agents a seed spec claims on (a compute agent and a volumer) have
    /// changed, so only they move within the index.
    static func snapshotUpdate(_ snapshot: PlacementSnapshot, times: Int) -> LatencySummary {
        var kept = snapshot
        var totals = snapshot.agents.mapValues(\.claimed)
        let compute = snapshot.agents.values.filter { $0.type == .agentComputeKVM }.map(\.id).sorted()
        let volumers = snapshot.agents.values.filter { $0.type == .agentVolumerFile }.map(\.id).sorted()
        var random = SplitMix64(seed: 0x0bad_5eed)
        let clock = ContinuousClock()
        var timings: [Duration] = []
        for _ in 0..<max(1, times) {
            let vm = compute[Int(random.next() % UInt64(compute.count))]
            let volume = volumers[Int(random.next() % UInt64(volumers.count))]
            totals[vm]? += Resources(vcpus: 1, memoryBytes: 1 << 30)
            totals[volume]? += Resources(diskBytes: 10 << 30)
            let start = clock.now
            kept.refreshClaims { totals[$0] ?? .zero }
            timings.append(clock.now - start)
            precondition(kept.agents[vm]?.claimed == totals[vm])
        }
        return LatencySummary(timings)
    }
}

/// A small fixed-seed generator (SplitMix64), so every run places on the same fleet.
struct SplitMix64 {
    var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// In [0, 1).
    mutating func nextFraction() -> Double {
        Double(next() >> 11) / Double(UInt64(1) << 53)
    }

    mutating func nextID() -> ObjectID {
        let (a, b) = (next(), next())
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<8 {
            bytes[index] = UInt8(truncatingIfNeeded: a >> (8 * index))
            bytes[8 + index] = UInt8(truncatingIfNeeded: b >> (8 * index))
        }
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let uuid = UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                               bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
        return ObjectID(uuid)
    }
}
