import Bench
import Testing

@Suite("Chaos schedule")
struct ChaosScheduleTests {
    @Test("the full profile covers every fault the issue asks for")
    func fullCoversEverything() throws {
        let schedule = try ChaosSchedule.profile("full")
        let actions = schedule.faults.map(\.inject)
        for service in ["scheduler-1", "conductor-2", "api"] {
            #expect(actions.contains(.command(["kill", service])), "SIGKILL \(service)")
        }
        #expect(actions.contains(.command(["kill", "scheduler-1", "scheduler-2"])))
        #expect(actions.contains(.command(["kill", "conductor-1", "conductor-2"])))
        #expect(actions.contains(.command(["kill-mid-apply", "hypervisors-2"])))
        #expect(actions.contains(.command(["stop", "hypervisors-1"])))
        #expect(actions.contains(.command(["broker-stop"])))
        #expect(actions.contains(.command(["pg-restart"])))
        #expect(actions.contains(.command(["pg-stop"])))
        #expect(actions.contains(.command(["relay-freeze"])))
        #expect(actions.contains(.poison))
    }

    @Test("every fault that needs undoing is undone, and the heal matches the injection")
    func healsMatch() throws {
        for name in ChaosSchedule.profiles {
            for fault in try ChaosSchedule.profile(name).faults {
                switch fault.inject {
                case .command(let arguments):
                    switch arguments.first {
                    case "kill", "kill-mid-apply":
                        #expect(fault.heal == .command(["start"] + arguments.dropFirst()), "\(fault.name)")
                    case "stop": #expect(fault.heal == .command(["cont"] + arguments.dropFirst()))
                    case "broker-stop": #expect(fault.heal == .command(["broker-start"]))
                    case "pg-stop": #expect(fault.heal == .command(["pg-start"]))
                    case "relay-freeze": #expect(fault.heal == .command(["relay-thaw"]))
                    case "pg-restart": #expect(fault.heal == nil)
                    default: Issue.record("unexpected action \(arguments)")
                    }
                case .poison:
                    #expect(fault.heal == nil)
                }
            }
        }
    }

    @Test("outages outlast the timeouts they test")
    func outagesOutlastTimeouts() throws {
        let timings = ChaosSchedule.Timings(agentHeartbeat: 5, amqpHeartbeat: 15)
        let schedule = ChaosSchedule.full(timings)
        func hold(_ action: String) -> Double? {
            schedule.faults.first { $0.inject == .command([action]) || $0.inject.text.hasPrefix(action + " ") }?.hold
        }
        #expect(try #require(hold("stop")) > 3 * 5, "SIGSTOP longer than the agents' liveness timeout")
        #expect(try #require(hold("broker-stop")) > 3 * 5, "the broker stopped longer than the liveness timeout")
        #expect(try #require(hold("relay-freeze")) > 2 * 15, "a silent connection longer than two AMQP heartbeats")
        #expect(try #require(hold("pg-stop")) == 120, "the 2-minute PostgreSQL outage")
    }

    @Test("the short profile keeps to a few minutes and to what CI needs")
    func shortProfile() throws {
        let schedule = try ChaosSchedule.profile("short")
        #expect(schedule.plannedDuration <= 240)
        let actions = schedule.faults.map(\.inject.text)
        #expect(actions == ["kill scheduler-1", "kill conductor-1", "kill api", "kill-mid-apply hypervisors-2",
                            "broker-stop", "pg-restart", "poison"])
        let broker = try #require(schedule.faults.first { $0.inject == .command(["broker-stop"]) })
        #expect((20...40).contains(broker.hold))
    }

    @Test("planned starts add up warm-up, holds and recoveries, and faults never overlap")
    func plannedStarts() {
        let schedule = ChaosSchedule(profile: "test", warmup: 10, faults: [
            ChaosFault(name: "a", inject: .command(["kill", "api"]), hold: 5, heal: .command(["start", "api"]), recovery: 20,
                       expectation: ""),
            ChaosFault(name: "b", inject: .poison, recovery: 7, expectation: ""),
            ChaosFault(name: "c", inject: .command(["pg-restart"]), recovery: 3, expectation: ""),
        ])
        #expect(schedule.plannedStarts == [10, 35, 42])
        #expect(schedule.plannedDuration == 45)
    }

    @Test("an unknown profile is refused with the known ones named")
    func unknownProfile() {
        #expect(throws: BenchError.self) { try ChaosSchedule.profile("gentle") }
    }

    @Test("the schedule survives a round trip through JSON (it is part of the report)")
    func codable() throws {
        let report = ChaosReport(schedule: ChaosSchedule.short())
        let decoded = try ChaosReport.decode(try report.json())
        #expect(decoded.schedule == report.schedule)
    }
}
