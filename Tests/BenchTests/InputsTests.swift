import Foundation
@testable import Bench
import Testing

@Suite("Benchmark inputs")
struct InputsTests {
    @Test("VmRSS and Threads are read from /proc/PID/status text")
    func procStatus() {
        let status = """
            Name:\tn0core-api
            State:\tS (sleeping)
            VmPeak:\t  812344 kB
            VmRSS:\t   21480 kB
            RssAnon:\t    9000 kB
            Threads:\t7
            """
        #expect(ProcessSample.parse(status: status) == ProcessSample(rssKiB: 21_480, threads: 7))
        #expect(ProcessSample.parse(status: "Name:\tx\n") == nil)
    }

    @Test("Pss is read from /proc/PID/smaps_rollup text")
    func smapsRollup() {
        let rollup = """
            55d0c0000000-7ffd5a1fe000 ---p 00000000 00:00 0                          [rollup]
            Rss:               35840 kB
            Pss:               18944 kB
            Pss_Anon:           3700 kB
            """
        #expect(ProcessSample.proportionalSetSize(smapsRollup: rollup) == 18_944)
        #expect(ProcessSample.proportionalSetSize(smapsRollup: "Rss: 1 kB\n") == nil)
    }

    @Test("the benchmark's own process can be sampled")
    func ownProcess() throws {
        let sample = try #require(ProcessSample.read(pid: getpid()))
        #expect(sample.rssKiB > 0)
        #expect(sample.threads >= 1)
        #expect((sample.pssKiB ?? 0) > 0)
    }

    @Test("the API address is http://HOST:PORT")
    func endpoint() throws {
        #expect(try APIEndpoint(parsing: "http://127.0.0.1:8080") == APIEndpoint(host: "127.0.0.1", port: 8080))
        #expect(try APIEndpoint(parsing: "http://localhost/") == APIEndpoint(host: "localhost", port: 80))
        #expect(throws: BenchError.self) { try APIEndpoint(parsing: "https://127.0.0.1:8443") }
        #expect(throws: BenchError.self) { try APIEndpoint(parsing: "http://127.0.0.1:8080/api") }
    }

    @Test("the floor adds up the pipeline's broker hops and commits")
    func floor() {
        let hops = PipelineHops()
        #expect(hops.brokerHops == 5)
        #expect(hops.commits == 2)
        #expect(hops.floor(brokerRoundTrip: 1.5, commit: 2) == 11.5)
    }
}

@Suite("CPU accounting")
struct CPUAccountingTests {
    @Test("a stat line's name may hold spaces and parentheses; utime and stime are added")
    func statLine() throws {
        let line = "4242 (n0core (sim) x) S 1 4242 4242 0 -1 4194560 1234 0 0 0 250 50 0 0 20 0 12 0 999 1000 100"
        let parsed = try #require(CPUSnapshot.parse(stat: line))
        #expect(parsed.name == "n0core (sim) x")
        #expect(parsed.ticks == 300)
    }

    @Test("the machine's busy ticks leave out idle and iowait")
    func machine() throws {
        let stat = "cpu  100 5 50 800 40 3 2 0 0 0\ncpu0 50 2 25 400 20 1 1 0 0 0\n"
        let parsed = try #require(CPUSnapshot.parse(machine: stat))
        #expect(parsed.total == 1_000)
        #expect(parsed.busy == 160)
    }

    @Test("usage is per process name, new processes count whole, busiest first")
    func usage() {
        let start = ContinuousClock.now
        let hertz = CPUSnapshot.ticksPerSecond
        let before = CPUSnapshot(processes: [1: ("beam.smp", 1_000), 2: ("postgres", 10), 3: ("postgres", 10)],
                                 machineBusy: 0, machineTotal: 0, taken: start)
        let after = CPUSnapshot(
            processes: [1: ("beam.smp", 1_000 + 2 * hertz), 2: ("postgres", 10 + hertz / 2), 4: ("postgres", hertz / 2),
                        5: ("idle-thing", 0)],
            machineBusy: 150, machineTotal: 200, taken: start + .seconds(2))
        let usage = after.usage(since: before)
        #expect(usage.processes == [CPUShare(name: "beam.smp", cores: 1), CPUShare(name: "postgres", cores: 0.5)])
        #expect(usage.busyFraction == 0.75)
    }
}

extension CPUAccountingTests {
    @Test("services are named by pid; per-CPU kernel workers count as one")
    func naming() {
        let start = ContinuousClock.now
        let hertz = CPUSnapshot.ticksPerSecond
        let before = CPUSnapshot(processes: [:], machineBusy: 0, machineTotal: 0, taken: start)
        let after = CPUSnapshot(
            processes: [7: ("n0core-schedule", hertz), 8: ("kworker/0:1-events", hertz / 2), 9: ("kworker/1:2", hertz / 2)],
            machineBusy: 0, machineTotal: 0, taken: start + .seconds(1))
        let usage = after.usage(since: before, names: [7: "n0core-scheduler"])
        #expect(usage.processes == [CPUShare(name: "kworker", cores: 1), CPUShare(name: "n0core-scheduler", cores: 1)])
    }
}
