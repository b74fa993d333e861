import Foundation

/// What one fault does: a command of the fault helper (`deploy/chaos.sh fault ARGS…`, which
/// owns the processes, the broker, the database and the relay), or poison messages, which the
/// chaos command publishes itself.
public enum FaultAction: Sendable, Hashable, Codable {
    /// Arguments for the fault helper, e.g. `["kill", "scheduler-1"]`.
    case command([String])
    /// Undecodable and misaddressed messages on every work queue (``PoisonMessages``).
    case poison

    /// How the action is written in the log and the table.
    public var text: String {
        switch self {
        case .command(let arguments): arguments.joined(separator: " ")
        case .poison: "poison"
        }
    }
}

/// One fault of a schedule: inject it, keep it for ``hold`` seconds, heal it (if it needs
/// healing), then let the load run for ``recovery`` seconds before the next one.
public struct ChaosFault: Sendable, Hashable, Codable {
    /// What the table calls it, e.g. `SIGKILL scheduler-1`.
    public var name: String
    public var inject: FaultAction
    /// Seconds between the injection and the healing.
    public var hold: Double
    /// Undoes the fault (restart, SIGCONT, start the broker again); nil when nothing must be
    /// undone (a PostgreSQL restart, poison messages).
    public var heal: FaultAction?
    /// Seconds of load after the healing before the next fault.
    public var recovery: Double
    /// What the fault must (not) cause, for the report.
    public var expectation: String

    public init(name: String, inject: FaultAction, hold: Double = 0, heal: FaultAction? = nil, recovery: Double,
                expectation: String) {
        self.name = name
        self.inject = inject
        self.hold = hold
        self.heal = heal
        self.recovery = recovery
        self.expectation = expectation
    }
}

/// The fault schedule of a run: load alone for ``warmup`` seconds, then each fault in turn.
/// Faults never overlap, so an outcome can be traced to the fault that caused it.
public struct ChaosSchedule: Sendable, Hashable, Codable {
    public var profile: String
    public var warmup: Double
    public var faults: [ChaosFault]

    public init(profile: String, warmup: Double, faults: [ChaosFault]) {
        self.profile = profile
        self.warmup = warmup
        self.faults = faults
    }

    /// Seconds from the start of the load at which each fault is planned to be injected,
    /// assuming each command takes no time (the runner reports the real times).
    public var plannedStarts: [Double] {
        var at = warmup
        return faults.map { fault in
            defer { at += fault.hold + fault.recovery }
            return at
        }
    }

    /// The planned length of the schedule, warm-up included.
    public var plannedDuration: Double {
        warmup + faults.reduce(0) { $0 + $1.hold + $1.recovery }
    }

    /// The timings the profiles are built from; the defaults match `deploy/chaos.sh`.
    public struct Timings: Sendable, Hashable, Codable {
        /// `agent.heartbeat_seconds` of the agents: silent for three is dead.
        public var agentHeartbeat: Double
        /// `amqp.heartbeat_seconds` of the services: a silent connection is dropped after two.
        public var amqpHeartbeat: Double
        /// Seconds a killed process stays down before it is started again.
        public var restartAfter: Double
        /// Seconds of load between one fault's healing and the next fault.
        public var recovery: Double
        /// Load alone before the first fault.
        public var warmup: Double
        /// The broker stays stopped this long.
        public var brokerOutage: Double
        /// PostgreSQL stays stopped this long (the long outage of the full profile).
        public var databaseOutage: Double

        public init(agentHeartbeat: Double = 5, amqpHeartbeat: Double = 15, restartAfter: Double = 5,
                    recovery: Double = 30, warmup: Double = 30, brokerOutage: Double = 45,
                    databaseOutage: Double = 120) {
            self.agentHeartbeat = agentHeartbeat
            self.amqpHeartbeat = amqpHeartbeat
            self.restartAfter = restartAfter
            self.recovery = recovery
            self.warmup = warmup
            self.brokerOutage = brokerOutage
            self.databaseOutage = databaseOutage
        }

        /// The short profile's: shorter pauses, a 30 s broker outage.
        public static let short = Timings(restartAfter: 3, recovery: 12, warmup: 15, brokerOutage: 30)
        public static let full = Timings()

        /// An agent is declared dead after three silent heartbeats; this outlasts that.
        var beyondAgentLiveness: Double { 3 * agentHeartbeat + 10 }
        /// A connection silent for two AMQP heartbeats is dropped; this outlasts that twice.
        var beyondConnectionHeartbeat: Double { 4 * amqpHeartbeat }
    }

    public static let profiles = ["full", "short", "custom"]

    /// A schedule of the caller's own, for reproducing one finding: each fault written
    /// `INJECT[|HOLD|HEAL]`, e.g. `kill scheduler-1|5|start scheduler-1`, `pg-restart`,
    /// `pg-stop|120|pg-start`, `poison` (the fault helper's actions, see `deploy/chaos.sh`).
    public static func custom(_ faults: [String], timings t: Timings = .short) throws -> ChaosSchedule {
        func action(_ text: String) -> FaultAction {
            let words = text.split(separator: " ").map(String.init)
            return words == ["poison"] ? .poison : .command(words)
        }
        let parsed = try faults.map { text -> ChaosFault in
            let parts = text.split(separator: "|", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            guard let inject = parts.first, !inject.isEmpty, parts.count == 1 || parts.count == 3,
                  parts.count == 1 || (Double(parts[1]).map { $0 >= 0 } == true && !parts[2].isEmpty) else {
                throw BenchError("fault '\(text)': expected INJECT or INJECT|SECONDS|HEAL, e.g. 'pg-stop|120|pg-start'")
            }
            let hold = parts.count == 3 ? Double(parts[1])! : 0
            let heal = parts.count == 3 ? action(parts[2]) : nil
            return ChaosFault(name: heal == nil ? inject : "\(inject) for \(Int(hold)) s, then \(parts[2])",
                              inject: action(inject), hold: hold, heal: heal, recovery: t.recovery,
                              expectation: "given on the command line")
        }
        guard !parsed.isEmpty else { throw BenchError("the custom profile needs at least one fault (--fault)") }
        return ChaosSchedule(profile: "custom", warmup: t.warmup, faults: parsed)
    }

    /// The named profile (`full` or `short`) with `timings` (the profile's own when nil).
    public static func profile(_ name: String, timings: Timings? = nil) throws -> ChaosSchedule {
        switch name {
        case "full": full(timings ?? .full)
        case "short": short(timings ?? .short)
        case "custom": throw BenchError("the custom profile is built from its faults: use ChaosSchedule.custom")
        default: throw BenchError("unknown chaos profile '\(name)'; expected one of \(profiles.joined(separator: ", "))")
        }
    }

    /// Every fault the issue asks for: SIGKILL of each service (one replica at a time, then both
    /// replicas of the scheduler and of the conductor at once), SIGKILL of a hypervisor process
    /// in the middle of an apply, SIGSTOP of agents past their liveness timeout, the broker
    /// stopped past the liveness timeout, a PostgreSQL restart and a long outage, a broker
    /// connection that goes silent without closing, poison messages on every queue.
    public static func full(_ t: Timings = .full) -> ChaosSchedule {
        let agentStop = t.beyondAgentLiveness
        let relayFreeze = t.beyondConnectionHeartbeat
        return ChaosSchedule(profile: "full", warmup: t.warmup, faults: [
            kill("scheduler-1", t),
            kill("conductor-2", t),
            kill("api", t),
            killMidApply("hypervisors-2", t),
            ChaosFault(
                name: "SIGSTOP hypervisors-1 (15 agents) for \(Int(agentStop)) s",
                inject: .command(["stop", "hypervisors-1"]), hold: agentStop, heal: .command(["cont", "hypervisors-1"]),
                recovery: t.recovery,
                expectation: "its agents are declared dead (3 × \(Int(t.agentHeartbeat)) s), their unfinished work moves "
                    + "to other hosts, what they made for abandoned attempts is removed when they come back"),
            kill(["scheduler-1", "scheduler-2"], t, hold: 2 * t.restartAfter),
            kill(["conductor-1", "conductor-2"], t, hold: 2 * t.restartAfter),
            brokerOutage(t),
            databaseRestart(t),
            ChaosFault(
                name: "PostgreSQL stopped for \(Int(t.databaseOutage)) s",
                inject: .command(["pg-stop"]), hold: t.databaseOutage, heal: .command(["pg-start"]),
                recovery: t.recovery,
                expectation: "the API answers 503 with Retry-After; consumers pause; every relay and consumer resumes "
                    + "by itself; nothing fails or is dead-lettered"),
            ChaosFault(
                name: "conductor-1's broker connection silent for \(Int(relayFreeze)) s",
                inject: .command(["relay-freeze"]), hold: relayFreeze, heal: .command(["relay-thaw"]),
                recovery: t.recovery,
                expectation: "AMQP heartbeats (\(Int(t.amqpHeartbeat)) s) notice the dead connection; its unacknowledged "
                    + "deliveries go to conductor-2; conductor-1 reconnects when the relay is back"),
            poison(t),
        ])
    }

    /// A few minutes for CI: one SIGKILL of the scheduler, the conductor, the API and a
    /// hypervisor process in the middle of an apply, the broker stopped, PostgreSQL restarted,
    /// poison messages.
    public static func short(_ t: Timings = .short) -> ChaosSchedule {
        ChaosSchedule(profile: "short", warmup: t.warmup, faults: [
            kill("scheduler-1", t),
            kill("conductor-1", t),
            kill("api", t),
            killMidApply("hypervisors-2", t),
            brokerOutage(t),
            databaseRestart(t),
            poison(t),
        ])
    }

    static func kill(_ name: String, _ t: Timings) -> ChaosFault {
        kill([name], t, hold: t.restartAfter)
    }

    static func kill(_ names: [String], _ t: Timings, hold: Double) -> ChaosFault {
        let both = names.count > 1
        return ChaosFault(
            name: "SIGKILL \(names.joined(separator: " + ")), restarted after \(Int(hold)) s",
            inject: .command(["kill"] + names), hold: hold, heal: .command(["start"] + names), recovery: t.recovery,
            expectation: both
                ? "no replica runs for \(Int(hold)) s: work waits in the queues and the outbox, then resumes"
                : "its unacknowledged deliveries go to the other replica or wait for the restart; nothing is lost")
    }

    static func killMidApply(_ name: String, _ t: Timings) -> ChaosFault {
        ChaosFault(
            name: "SIGKILL \(name) during an apply, restarted after \(Int(t.restartAfter)) s",
            inject: .command(["kill-mid-apply", name]), hold: t.restartAfter, heal: .command(["start", name]),
            recovery: t.recovery,
            expectation: "the interrupted requests are redelivered and applied once; nothing is held twice")
    }

    static func brokerOutage(_ t: Timings) -> ChaosFault {
        ChaosFault(
            name: "RabbitMQ stopped for \(Int(t.brokerOutage)) s",
            inject: .command(["broker-stop"]), hold: t.brokerOutage, heal: .command(["broker-start"]),
            recovery: t.recovery,
            expectation: "longer than the agents' liveness timeout (3 × \(Int(t.agentHeartbeat)) s): nobody is declared "
                + "dead by a conductor that cannot hear; every service reconnects; nothing is lost")
    }

    static func databaseRestart(_ t: Timings) -> ChaosFault {
        ChaosFault(
            name: "PostgreSQL restarted (fast shutdown)",
            inject: .command(["pg-restart"]), recovery: t.recovery,
            expectation: "connections are re-established; no delivery attempt is spent on the outage")
    }

    static func poison(_ t: Timings) -> ChaosFault {
        ChaosFault(
            name: "poison messages on every queue",
            inject: .poison, recovery: t.recovery,
            expectation: "each is dead-lettered with a reason; no service crashes; valid work goes on")
    }
}
