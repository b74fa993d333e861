import Bench
import Messages
import Scheduler
import Testing

@Suite("Placement benchmark")
struct PlacementBenchmarkTests {
    @Test("the synthetic fleet has one alive agent of each kind per host, the same every time")
    func fleet() {
        let snapshot = PlacementBenchmark.snapshot(hosts: 50)
        #expect(snapshot.agents.count == 150)
        let hosts = Dictionary(grouping: snapshot.agents.values, by: \.hostID)
        #expect(hosts.count == 50)
        #expect(hosts.values.allSatisfy { Set($0.map(\.type)) == [.agentComputeKVM, .agentVolumerFile, .agentPorterVLAN] })
        #expect(snapshot.agents.values.allSatisfy { $0.alive && $0.claimed.fits(in: $0.capacity) })
        #expect(PlacementBenchmark.snapshot(hosts: 50) == snapshot)
    }

    @Test("the request is the seed's four objects under same_host, without a pinned host")
    func request() throws {
        let request = try PlacementBenchmark.seedRequest()
        #expect(request.objects.compactMap(\.type) == [.vmKVM, .volumeFile, .nic, .networkVLAN])
        #expect(request.constraints.sameHost)
        #expect(request.constraints.hostID == nil)
    }

    @Test("a run places the whole spec every time and reports per call and per object")
    func run() throws {
        let result = try PlacementBenchmark.run(hosts: 20, iterations: 5, warmup: 1)
        #expect(result.hosts == 20)
        #expect(result.agents == 60)
        #expect(result.objects == 4)
        #expect(result.iterations == 5)
        #expect(result.perCall.count == 5)
        #expect(result.snapshotBuild?.count == 5)
        #expect(result.snapshotUpdate?.count == 5)
    }
}
