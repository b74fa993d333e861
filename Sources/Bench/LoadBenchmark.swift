import Broker
import Foundation
import Logging
import PostgresNIO
import Store

/// The whole load run against a system that is already running: wait for its agents, note
/// each service's idle memory, measure the floor, run the load phases, note memory again.
public struct LoadBenchmark: Sendable {
    public struct Phase: Sendable {
        public var name: String
        /// False for a warm-up (see ``LoadPhaseResult/judged``).
        public var judged: Bool
        public var concurrency: Int
        public var duration: Duration

        public init(name: String, judged: Bool = true, concurrency: Int, duration: Duration) {
            self.name = name
            self.judged = judged
            self.concurrency = concurrency
            self.duration = duration
        }
    }

    public var load: LoadSettings
    public var databaseURL: String
    public var broker: BrokerConfiguration
    public var phases: [Phase]
    /// Wait for this many alive agents before starting.
    public var agents: Int
    public var floorSamples: Int
    /// Processes whose memory is reported, by name.
    public var services: [(name: String, pid: Int32)]
    public var settings: [String: String]
    /// When positive: after ``phases``, this many applied specs are stored straight into the
    /// database (``StoredSpecs``) and the judged phases run again, so the figures at N = 0 and
    /// N = this stand side by side.
    public var storedSpecs: Int = 0

    public init(load: LoadSettings, databaseURL: String, broker: BrokerConfiguration, phases: [Phase], agents: Int,
                floorSamples: Int, services: [(name: String, pid: Int32)], settings: [String: String]) {
        self.load = load
        self.databaseURL = databaseURL
        self.broker = broker
        self.phases = phases
        self.agents = agents
        self.floorSamples = floorSamples
        self.services = services
        self.settings = settings
    }

    public func run(logger: Logger) async throws -> BenchReport {
        let url = try DatabaseURL(databaseURL)
        let client = PostgresClient(configuration: url.configuration, backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await measure(client: client, logger: logger)
        }
    }

    private func measure(client: PostgresClient, logger: Logger) async throws -> BenchReport {
        var report = BenchReport(settings: settings)
        report.aliveAgents = try await AgentCensus.waitFor(agents, timeout: .seconds(90), client: client, logger: logger)
        report.memory = services.map { ServiceMemory(name: $0.name, pid: $0.pid, idle: ProcessSample.read(pid: $0.pid)) }

        logger.notice("measuring the floor", metadata: ["samples": "\(floorSamples)"])
        let (roundTrip, confirm) = try await BrokerFloor.measure(configuration: broker, samples: floorSamples, logger: logger)
        let commit = try await DatabaseFloor.measure(client: client, samples: floorSamples, logger: logger)
        report.floor = FloorResult(brokerRoundTrip: roundTrip, brokerConfirm: confirm, commit: commit,
                                   databaseSettings: (try? await DatabaseFloor.settings(client: client, logger: logger)) ?? [:])

        var names = Dictionary(services.map { ($0.pid, $0.name) }, uniquingKeysWith: { first, _ in first })
        names[getpid()] = "n0core-bench"
        let generator = LoadGenerator(settings: load, client: client, processNames: names, logger: logger)
        func run(_ phases: [Phase], suffix: String) async throws {
            for phase in phases where phase.duration > .zero {
                let name = phase.name + suffix
                logger.notice("load phase", metadata: ["phase": "\(name)", "clients": "\(phase.concurrency)"])
                report.phases.append(try await generator.runPhase(name: name, judged: phase.judged, concurrency: phase.concurrency,
                                                                  duration: phase.duration))
            }
        }
        try await run(phases, suffix: storedSpecs > 0 ? ", N = 0" : "")
        if storedSpecs > 0 {
            let counted = NumberFormatter.localizedString(from: NSNumber(value: storedSpecs), number: .decimal)
            logger.notice("storing specs", metadata: ["count": "\(storedSpecs)"])
            let took = try await StoredSpecs.load(storedSpecs, store: Store(client: client, logger: logger), logger: logger)
            // Vacuumed and with fresh statistics, as autovacuum keeps them over the month these
            // rows stand for; left to autovacuum, its catching up would run during the phases.
            try await client.query("VACUUM ANALYZE", logger: logger)
            report.settings["stored_specs"] = "\(storedSpecs),written_in_\(took.components.seconds)s"
            try await run(phases.filter(\.judged), suffix: ", N = \(counted) stored specs")
        }
        for index in report.memory.indices {
            report.memory[index].end = ProcessSample.read(pid: report.memory[index].pid)
        }
        return report
    }
}
