import Broker
import Foundation
import Logging
import PostgresNIO

/// One fault-injection run against a system that is already running (`deploy/chaos.sh` starts
/// it): a steady load, the fault schedule, then — with the load stopped and the system given
/// time to settle — the checks, from the database, the agents' state files and the dead-letter
/// queue.
public struct ChaosRun: Sendable {
    public var schedule: ChaosSchedule
    public var load: ChaosLoadSettings
    public var databaseURL: String
    public var broker: BrokerConfiguration
    public var faultCommand: FaultCommand
    /// `--state-root` of the simulated hypervisors: where their agents' `held/` files are.
    public var agentStateRoot: String
    /// Wait for this many alive agents before the load starts.
    public var agents: Int
    /// Directory of `NAME.pid` files of the services, checked at the end.
    public var pidDirectory: String?
    /// The longest wait, after the load stops, for every version to leave `pending`.
    public var settleLimit: Duration
    /// Once settled, the time given to late clean-ups (removals of abandoned attempts) before
    /// the agents' state is read.
    public var quiet: Duration
    public var settings: [String: String]
    /// Each service's `/metrics` URL, by name: consumers still paused at the end fail the run.
    public var metrics: [(name: String, url: String)]

    public init(schedule: ChaosSchedule, load: ChaosLoadSettings, databaseURL: String, broker: BrokerConfiguration,
                faultCommand: FaultCommand, agentStateRoot: String, agents: Int, pidDirectory: String?,
                settleLimit: Duration, quiet: Duration = .seconds(10), settings: [String: String] = [:],
                metrics: [(name: String, url: String)] = []) {
        self.metrics = metrics
        self.schedule = schedule
        self.load = load
        self.databaseURL = databaseURL
        self.broker = broker
        self.faultCommand = faultCommand
        self.agentStateRoot = agentStateRoot
        self.agents = agents
        self.pidDirectory = pidDirectory
        self.settleLimit = settleLimit
        self.quiet = quiet
        self.settings = settings
    }

    public func run(logger: Logger) async throws -> ChaosReport {
        let database = try ChaosDatabase(url: databaseURL, logger: logger)
        defer { database.shutdown() }
        var report = ChaosReport(settings: settings, schedule: schedule)

        let alive = try await AgentCensus.waitFor(agents, timeout: .seconds(120), client: database.client, logger: logger)
        ChaosLog.print(at: 0, "\(alive) agents alive; load with \(load.clients) clients, profile \(schedule.profile), "
            + "about \(Int(schedule.plannedDuration)) s of faults")

        let generator = ChaosLoad(settings: load, database: database, logger: logger)
        let poisonIDs = PoisonLedger()
        let runner = FaultRunner(
            schedule: schedule, command: faultCommand,
            poison: { [broker, database] in
                let queues = ["scheduler", "conductor"] + (try await Self.agentQueues(database))
                let messages = PoisonMessages.messages(forQueues: queues)
                let published = try await PoisonMessages.publish(messages, configuration: broker, logger: logger)
                await poisonIDs.add(published)
                return "published \(published.count) poison messages to \(queues.count) queues"
            },
            clock: { generator.elapsed }, logger: logger)

        let records = await withTaskGroup(of: [FaultRecord]?.self) { group in
            group.addTask { await generator.run(); return nil }
            let records = await runner.run()
            await generator.stop()
            await group.waitForAll()
            return records
        }
        report.faults = records
        report.load = await generator.snapshot()
        report.attributeLoad()
        ChaosLog.print(at: generator.elapsed, "load stopped: \(report.load.accepted.count) versions accepted; settling "
            + "(at most \(settleLimit.components.seconds) s)")

        let settleStart = ContinuousClock.now
        report.settled = await settle(database) { generator.elapsed }
        report.settleSeconds = (ContinuousClock.now - settleStart).inSeconds
        if quiet > .zero { try? await Task.sleep(for: quiet) }

        ChaosLog.print(at: generator.elapsed, "checking the database, the agents' state and the dead-letter queue")
        var observations = ChaosObservations(accepted: report.load.accepted, poisonIDs: await poisonIDs.ids)
        observations.versions = try await retrying(database) { try await Self.versions(database) }
        observations.nodes = try await retrying(database) { try await Self.nodes(database) }
        observations.suspiciousClaims = try await retrying(database) { try await Self.claims(database) }
        let scan = HeldObjectScanner.scan(root: agentStateRoot)
        observations.held = scan.records
        observations.unreadableHeld = scan.unreadable
        observations.deadLetters = try await DeadLetterReader.drain(configuration: broker, logger: logger)
        observations.services = pidDirectory.map(ServiceProbe.services(in:)) ?? []
        for (name, url) in metrics {
            let (paused, error) = await ServiceMetrics.read(service: name, url: url)
            observations.pausedConsumers += paused
            if let error { observations.metricsErrors.append(error) } else { observations.metricsRead += 1 }
        }
        report.outcome = OutcomeChecker.evaluate(observations)
        report.events = (try? await Self.events(database)) ?? [:]
        report.pendingDetails = (try? await Self.pendingDetails(database, specs: report.outcome.pending.map(\.specID))) ?? []
        if !report.outcome.storedWithoutAnswer.isEmpty {
            report.storedWithoutAnswerDetails = (try? await Self.storedAt(
                database, specs: Array(report.outcome.storedWithoutAnswer.prefix(50)), start: generator.startDate,
                faults: report.faults)) ?? []
        }
        return report
    }

    /// Waits until no version is pending, at most ``settleLimit``.
    private func settle(_ database: ChaosDatabase, clock: () -> Double) async -> Bool {
        let deadline = ContinuousClock.now + settleLimit
        var lastPrint = ContinuousClock.now
        while true {
            if let pending = try? await database.rows("SELECT count(*) FROM spec_versions WHERE state = 'pending'")
                .first?.decode(Int64.self) {
                if pending == 0 { return true }
                if ContinuousClock.now - lastPrint >= .seconds(10) {
                    lastPrint = .now
                    ChaosLog.print(at: clock(), "settling: \(pending) versions pending")
                }
            }
            guard ContinuousClock.now < deadline else { return false }
            try? await Task.sleep(for: .seconds(1))
        }
    }

    /// Runs a read, retrying for up to a minute (the database may still be recovering).
    private func retrying<Result: Sendable>(_ database: ChaosDatabase, _ body: () async throws -> Result) async throws -> Result {
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            do {
                return try await body()
            } catch {
                guard ContinuousClock.now < deadline else { throw error }
                try await Task.sleep(for: .seconds(1))
            }
        }
    }

    static func agentQueues(_ database: ChaosDatabase) async throws -> [String] {
        try await database.rows("SELECT id::text FROM nodes WHERE type LIKE 'agent/%' ORDER BY id")
            .map { try $0.decode(String.self) }
    }

    static func versions(_ database: ChaosDatabase) async throws -> [VersionRow] {
        try await database.rows("""
            SELECT v.spec_id, v.version, v.state, v.reason, v.version = s.latest_version
            FROM spec_versions v JOIN specs s ON s.id = v.spec_id
            """).map { row in
            let (spec, version, state, reason, latest) = try row.decode((Int64, Int, String, String?, Bool).self)
            return VersionRow(specID: spec, version: version, state: state, reason: reason, latest: latest)
        }
    }

    static func nodes(_ database: ChaosDatabase) async throws -> [NodeRow] {
        try await database.rows("""
            SELECT n.id::text, n.type, n.spec_id, n.desired_state, n.observed_state,
                   (SELECT e.target::text FROM edges e
                    WHERE e.source = n.id AND e.relation = 'n0stack/n0core/resource/scheduled' LIMIT 1)
            FROM nodes n WHERE n.type LIKE 'resource/%'
            """).map { row in
            let (id, type, spec, desired, observed, agent) = try row.decode((String, String, Int64?, String?, String?, String?).self)
            return NodeRow(id: id, type: type, specID: spec, desiredState: desired, observedState: observed, scheduledAgent: agent)
        }
    }

    static func claims(_ database: ChaosDatabase) async throws -> [ClaimRow] {
        try await database.rows("""
            SELECT c.object_id::text, c.agent_id::text, c.spec_id, n.desired_state
            FROM claims c LEFT JOIN nodes n ON n.id = c.object_id
            WHERE n.id IS NULL OR n.desired_state IN ('deleted', 'destroyed')
            """).map { row in
            let (object, agent, spec, desired) = try row.decode((String, String, Int64?, String?).self)
            return ClaimRow(objectID: object, agentID: agent, specID: spec, desiredState: desired)
        }
    }

    static func events(_ database: ChaosDatabase) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for row in try await database.rows("SELECT kind, count(*) FROM events GROUP BY kind") {
            let (kind, count) = try row.decode((String, Int64).self)
            counts[kind] = Int(count)
        }
        for row in try await database.rows("SELECT coalesce(sender, '-'), count(*) FROM outbox WHERE sent_at IS NULL GROUP BY 1") {
            let (sender, count) = try row.decode((String, Int64).self)
            counts["(outbox unsent, \(sender))"] = Int(count)
        }
        for row in try await database.rows("SELECT count(*) FROM deferred_specs") {
            let count = try row.decode(Int64.self)
            if count > 0 { counts["(deferred specs waiting)"] = Int(count) }
        }
        return counts
    }

    /// When each spec was stored, on the run's clock, and the fault in effect then: a spec the
    /// API stored without answering 201 is expected when the API was killed mid-request, and a
    /// finding otherwise (a 503 that said "nothing was changed" after the commit).
    static func storedAt(_ database: ChaosDatabase, specs: [Int64], start: Date, faults: [FaultRecord]) async throws -> [String] {
        try await database.rows("""
            SELECT id, extract(epoch FROM created_at)::float8 FROM specs WHERE id = ANY(\(specs)) ORDER BY id
            """).map { row in
            let (spec, epoch) = try row.decode((Int64, Double).self)
            let at = epoch - start.timeIntervalSince1970
            let fault = faults.last { $0.injectedAt <= at }
            return "spec \(spec) stored at +\(Figure.fixed(at, 1)) s" + (fault.map { ", during or after \"\($0.name)\"" } ?? ", before the first fault")
        }
    }

    /// Where the objects of pending specs stand: placement phase, attempt, age, last event.
    static func pendingDetails(_ database: ChaosDatabase, specs: [Int64]) async throws -> [String] {
        guard !specs.isEmpty else { return [] }
        var lines: [String] = []
        for row in try await database.rows("""
            SELECT p.spec_id, p.version, p.object_id::text, p.attempt, p.phase,
                   extract(epoch FROM now() - p.phase_since)::float8,
                   (SELECT e.kind || ': ' || e.message FROM events e
                    WHERE e.spec_id = p.spec_id AND e.object_id = p.object_id ORDER BY e.id DESC LIMIT 1)
            FROM placements p WHERE p.spec_id = ANY(\(specs)) ORDER BY p.spec_id, p.object_id
            """) {
            let (spec, version, object, attempt, phase, age, last) = try row.decode(
                (Int64, Int, String, Int, String, Double, String?).self)
            lines.append("spec \(spec) v\(version) \(object): \(phase) (attempt \(attempt), \(Int(age)) s); last event \(last.map { String($0.prefix(160)) } ?? "none")")
        }
        for row in try await database.rows("SELECT spec_id, version, reason, attempts FROM deferred_specs WHERE spec_id = ANY(\(specs))") {
            let (spec, version, reason, attempts) = try row.decode((Int64, Int, String, Int).self)
            lines.append("spec \(spec) v\(version) deferred after \(attempts) tries: \(reason.prefix(160))")
        }
        return lines
    }
}

private actor PoisonLedger {
    private(set) var ids: [String] = []

    func add(_ published: [String]) {
        ids += published
    }
}

/// Whether the services named by `NAME.pid` files still run.
public enum ServiceProbe {
    public static func services(in directory: String) -> [ServiceLiveness] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".pid") }.sorted()
        return names.map { name in
            let text = (try? String(contentsOfFile: "\(directory)/\(name)", encoding: .utf8)) ?? ""
            let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
            return ServiceLiveness(name: String(name.dropLast(4)), pid: pid, running: pid.map(isRunning) ?? false)
        }
    }

    /// Running, and not a zombie.
    static func isRunning(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
        return state != nil && state != "Z" && state != "X"
    }
}
