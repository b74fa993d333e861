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
        for name in ["full", "short"] {
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

@Suite("Chaos custom schedule and service metrics")
struct ChaosCustomTests {
    @Test("a custom schedule is read from INJECT|SECONDS|HEAL")
    func custom() throws {
        let schedule = try ChaosSchedule.custom(["pg-restart", "pg-stop|120|pg-start", "poison", "kill api | 5 | start api"])
        #expect(schedule.faults.map(\.inject) == [.command(["pg-restart"]), .command(["pg-stop"]), .poison,
                                                  .command(["kill", "api"])])
        #expect(schedule.faults.map(\.hold) == [0, 120, 0, 5])
        #expect(schedule.faults.map(\.heal) == [nil, .command(["pg-start"]), nil, .command(["start", "api"])])
        #expect(throws: BenchError.self) { try ChaosSchedule.custom([]) }
        #expect(throws: BenchError.self) { try ChaosSchedule.custom(["pg-stop|120"]) }
        #expect(throws: BenchError.self) { try ChaosSchedule.custom(["pg-stop|soon|pg-start"]) }
    }

    @Test("paused consumers are read from Prometheus text, with what they hold")
    func pausedConsumers() {
        let text = """
            # TYPE n0core_consumer_paused gauge
            n0core_consumer_paused{queue="conductor"} 1.0
            n0core_consumer_paused{queue="scheduler"} 0
            # TYPE n0core_messages_in_hand gauge
            n0core_messages_in_hand{queue="conductor"} 32
            n0core_consumer_paused_total 7
            """
        #expect(ServiceMetrics.paused(service: "conductor-1", metrics: text)
            == [PausedConsumer(service: "conductor-1", queue: "conductor", inHand: 32)])
        #expect(ServiceMetrics.paused(service: "api", metrics: "").isEmpty)
    }

    @Test("a consumer still paused at the end fails the run")
    func pausedFails() {
        var observations = ChaosObservations(metricsRead: 7)
        #expect(OutcomeChecker.evaluate(observations).passed)
        observations.pausedConsumers = [PausedConsumer(service: "conductor-1", queue: "conductor", inHand: 32)]
        let outcome = OutcomeChecker.evaluate(observations)
        #expect(!outcome.passed)
        #expect(outcome.checks.last?.measured == "1 (metrics of 7 services)")
    }
}
