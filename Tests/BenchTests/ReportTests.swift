import Bench
import Foundation
import Testing

@Suite("Benchmark report")
struct ReportTests {
    static func summary(_ p50: Double, _ p99: Double, count: Int = 100) -> LatencySummary {
        LatencySummary(count: count, p50: p50, p90: p50, p99: p99, max: p99, mean: p50)
    }

    static func report() -> BenchReport {
        var report = BenchReport(
            startedAt: Date(timeIntervalSince1970: 1_700_000_000), machine: MachineInfo(cpus: 2, hostname: "bench"),
            settings: ["scheduler.concurrency": "8"], aliveAgents: 300)
        report.floor = FloorResult(brokerRoundTrip: summary(0.5, 2), brokerConfirm: summary(0.4, 1.5),
                                   commit: summary(1, 4), databaseSettings: ["fsync": "on"])
        report.phases = [
            LoadPhaseResult(name: "warm-up", judged: false, concurrency: 2, durationSeconds: 3, elapsedSeconds: 3,
                            submitted: 10, applied: 10, failed: 0, lost: 0, rejected: 0,
                            latency: summary(80, 400), post: summary(3, 9)),
            LoadPhaseResult(name: "latency, 1 client", concurrency: 1, durationSeconds: 15, elapsedSeconds: 15,
                            submitted: 600, applied: 600, failed: 0, lost: 0, rejected: 0,
                            latency: summary(12, 40), post: summary(2, 5),
                            breakdown: [HopSegment(name: "accepted → scheduler begins", summary: summary(3, 9))]),
            LoadPhaseResult(name: "throughput, 16 clients", concurrency: 16, durationSeconds: 60, elapsedSeconds: 60,
                            submitted: 6_000, applied: 5_999, failed: 0, lost: 1, rejected: 0,
                            latency: summary(30, 90), post: summary(4, 12), problems: ["spec 7 neither applied nor failed in time (lost)"],
                            cpu: CPUUsage(busyFraction: 1, processes: [CPUShare(name: "postgres", cores: 0.5)]),
                            database: DatabaseActivity(transactionsPerSpec: 14.26, rowsReadPerSpec: 900.4, rowsWrittenPerSpec: 41.6)),
        ]
        report.placement = [PlacementResult(hosts: 10_000, agents: 30_000, objects: 4, iterations: 200, perCall: summary(2, 8))]
        report.memory = [
            ServiceMemory(name: "n0core-api", pid: 10, idle: ProcessSample(rssKiB: 20 * 1024, threads: 5, pssKiB: 9 * 1024),
                          end: ProcessSample(rssKiB: 30 * 1024, threads: 6, pssKiB: 17 * 1024)),
            ServiceMemory(name: "n0core-scheduler", pid: 11, idle: ProcessSample(rssKiB: 26 * 1024, threads: 5)),
            ServiceMemory(name: "n0core-simulated-hypervisors", pid: 12, idle: ProcessSample(rssKiB: 200 * 1024, threads: 310)),
        ]
        return report
    }

    @Test("targets: latency per judged phase, best throughput, losses, placement at 10,000 hosts, idle memory")
    func targets() {
        let checks = Targets.evaluate(Self.report())
        func met(_ prefix: String) -> Bool?? {
            checks.first { $0.what.hasPrefix(prefix) }.map(\.met)
        }
        #expect(!checks.contains { $0.what.contains("warm-up") })
        #expect(met("latency p50, latency, 1 client") == true)
        #expect(met("latency p50, throughput") == false)
        #expect(met("latency p99, latency, 1 client") == true)
        #expect(met("latency p99, throughput") == false)
        #expect(met("throughput") == false)
        #expect(checks.first { $0.what.hasPrefix("throughput") }?.what.contains("throughput, 16 clients") == true)
        #expect(met("specs lost") == false)
        #expect(met("placement p99 per object, 10000 hosts") == false)
        #expect(met("idle RSS, n0core-api") == true)
        #expect(met("idle RSS, n0core-scheduler") == false)
        #expect(met("idle RSS, n0core-simulated-hypervisors") == .some(nil))
    }

    @Test("per-object placement figures are the call's divided by the spec's objects")
    func perObject() {
        let result = PlacementResult(hosts: 1_000, agents: 3_000, objects: 4, iterations: 10, perCall: Self.summary(2, 8))
        #expect(result.perObject.p50 == 0.5)
        #expect(result.perObject.p99 == 2)
    }

    @Test("the table shows every section, the floor's sum and the ratio to it")
    func table() {
        let text = ReportTable.render(Self.report())
        // floor = 5 × 0.5 + 2 × 1 = 4.5 ms at p50; 5 × 2 + 2 × 4 = 18 ms at p99.
        #expect(text.contains("pipeline floor = 5 × broker round trip + 2 × commit = 4.500 ms at p50 (18.00 ms at p99)"))
        #expect(text.contains("latency, 1 client: latency p50 / floor p50 = 2.7×, p99 / floor p99 = 2.2×"))
        #expect(text.contains("throughput, 16 clients: latency p50 / floor p50 = 6.7×"))
        #expect(!text.contains("warm-up: latency p50 / floor"))
        #expect(text.contains("spec 7 neither applied nor failed in time (lost)"))
        #expect(text.contains("Settings: scheduler.concurrency=8"))
        #expect(text.contains("MISSED"))
        #expect(text.contains("fsync=on"))
        let throughput = text.split(separator: "\n").first { $0.contains("throughput, 16 clients") && $0.contains("5999") }
        #expect(throughput.map { $0.contains("100.0") } == true, "5999 specs in 60 s is 100.0 specs/s")
        // 2 busy cores for 60 s over 5999 specs is 20.00 ms per spec; postgres's half core 5.001 ms.
        let lines = text.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("  whole machine busy ") && $0.contains(" 2.00 of 2 ") && $0.hasSuffix(" 20.00") })
        #expect(lines.contains { $0.hasPrefix("  postgres ") && $0.contains(" 0.50 ") && $0.hasSuffix(" 5.001") })
        #expect(text.contains("database per spec: 14.3 transactions, 900 rows read, 42 rows written"))
    }

    @Test("table columns line up: figures right-aligned under their headers")
    func alignment() throws {
        let lines = ReportTable.render(Self.report()).split(separator: "\n").map(String.init)
        let header = try #require(lines.firstIndex { $0.hasPrefix("  memory (VmRSS, PSS)") })
        let end = try #require(lines[header].range(of: "idle MiB")).upperBound.utf16Offset(in: lines[header])
        #expect(lines[header + 1].allSatisfy { $0 == " " || $0 == "-" })
        let rows = lines[(header + 2)...(header + 4)]
        #expect(rows.map { Array($0)[end - 5..<end].map(String.init).joined() } == [" 20.0", " 26.0", "200.0"])
        let pss = try #require(lines[header].range(of: "end PSS MiB")).upperBound.utf16Offset(in: lines[header])
        #expect(rows.map { Array($0)[pss - 5..<pss].map(String.init).joined() } == [" 17.0", "    -", "    -"])
    }

    @Test("the JSON has snake_case keys and reads back the same")
    func json() throws {
        var report = Self.report()
        report.targets = Targets.evaluate(report)
        let data = try report.json()
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"specs_per_second\""))
        #expect(text.contains("\"broker_round_trip\""))
        let back = try BenchReport.decode(data)
        #expect(back.phases == report.phases)
        #expect(back.placement == report.placement)
        #expect(back.targets == report.targets)
    }
}
