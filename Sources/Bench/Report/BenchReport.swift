import Foundation

/// Everything one benchmark run measured, as printed in the table and written to the JSON file.
///
/// The floor (broker round trip, database commit) is measured in the same run as the load, on
/// the same machine and under the same background, so the ratio between them means something
/// even on a busy machine.
public struct BenchReport: Codable, Sendable {
    public var startedAt: Date
    public var machine: MachineInfo
    /// How the system under test was set up (replicas, concurrency settings, log level …), as
    /// the script that started it says; printed with the table so the figures can be reproduced.
    public var settings: [String: String]
    /// Alive agents the scheduler could choose from when the load started.
    public var aliveAgents: Int?
    public var floor: FloorResult?
    public var phases: [LoadPhaseResult]
    public var placement: [PlacementResult]
    public var memory: [ServiceMemory]
    /// Design §7's targets against this run's figures (see ``Targets/evaluate(_:)``).
    public var targets: [TargetCheck] = []

    public init(
        startedAt: Date = Date(), machine: MachineInfo = .current, settings: [String: String] = [:],
        aliveAgents: Int? = nil, floor: FloorResult? = nil, phases: [LoadPhaseResult] = [],
        placement: [PlacementResult] = [], memory: [ServiceMemory] = []
    ) {
        self.startedAt = startedAt
        self.machine = machine
        self.settings = settings
        self.aliveAgents = aliveAgents
        self.floor = floor
        self.phases = phases
        self.placement = placement
        self.memory = memory
    }

    /// The JSON written with `--json`: snake_case keys, sorted, ISO 8601 dates.
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }

    /// Reads a report written by ``json()`` (to merge the placement run into the load run's).
    public static func decode(_ data: Data) throws -> BenchReport {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(BenchReport.self, from: data)
    }
}

/// The machine the run happened on.
public struct MachineInfo: Codable, Sendable, Hashable {
    public var cpus: Int
    public var hostname: String

    public init(cpus: Int, hostname: String) {
        self.cpus = cpus
        self.hostname = hostname
    }

    public static var current: MachineInfo {
        MachineInfo(cpus: ProcessInfo.processInfo.activeProcessorCount, hostname: ProcessInfo.processInfo.hostName)
    }
}

/// The broker's and the database's own latency, measured with the clients the services use.
public struct FloorResult: Codable, Sendable, Hashable {
    /// Publish (with confirm) on one connection → delivery on another, on a private quorum queue.
    public var brokerRoundTrip: LatencySummary
    /// Publish → the broker's confirm: what every hop waits for before it acknowledges.
    public var brokerConfirm: LatencySummary
    /// BEGIN, one single-row INSERT, COMMIT on a pooled connection.
    public var commit: LatencySummary
    public var hops: PipelineHops
    /// The database's durability settings, which decide what a commit costs.
    public var databaseSettings: [String: String]

    public init(brokerRoundTrip: LatencySummary, brokerConfirm: LatencySummary, commit: LatencySummary,
                hops: PipelineHops = PipelineHops(), databaseSettings: [String: String] = [:]) {
        self.brokerRoundTrip = brokerRoundTrip
        self.brokerConfirm = brokerConfirm
        self.commit = commit
        self.hops = hops
        self.databaseSettings = databaseSettings
    }

    /// What the pipeline's hops add up to at the median of each.
    public var floorP50: Double { hops.floor(brokerRoundTrip: brokerRoundTrip.p50, commit: commit.p50) }
    /// The same at the 99th percentile of each (a pessimistic sum).
    public var floorP99: Double { hops.floor(brokerRoundTrip: brokerRoundTrip.p99, commit: commit.p99) }
}

/// One load phase: a number of clients each sending the seed's example and waiting for it to be
/// applied before sending the next, for a set time.
public struct LoadPhaseResult: Codable, Sendable, Hashable {
    public var name: String
    /// False for a warm-up: shown, counted for lost and failed specs, but not judged against
    /// the latency and throughput targets.
    public var judged: Bool
    public var concurrency: Int
    /// The time the phase was set to send for.
    public var durationSeconds: Double
    /// From the first POST to the last spec settled (applied, failed or given up on).
    public var elapsedSeconds: Double
    /// POSTs answered 201.
    public var submitted: Int
    public var applied: Int
    public var failed: Int
    /// Accepted, but neither applied nor failed within the spec timeout.
    public var lost: Int
    /// POSTs not answered 201 (or not answered at all).
    public var rejected: Int
    /// Applied specs per second of ``elapsedSeconds``.
    public var specsPerSecond: Double
    /// POST accepted (the 201 received) → the spec version's APPLIED event, per applied spec.
    public var latency: LatencySummary
    /// The POST itself, sent → 201 received.
    public var post: LatencySummary
    /// Where the time of ``latency`` goes, from the event log and the outbox.
    public var breakdown: [HopSegment]
    /// A few failure and rejection reasons, as the system gave them.
    public var problems: [String]
    /// Who used the machine's CPUs while the phase ran.
    public var cpu: CPUUsage?
    /// The database's transactions and rows per applied spec while the phase ran.
    public var database: DatabaseActivity?

    public init(
        name: String, judged: Bool = true, concurrency: Int, durationSeconds: Double, elapsedSeconds: Double, submitted: Int,
        applied: Int, failed: Int, lost: Int, rejected: Int, latency: LatencySummary, post: LatencySummary,
        breakdown: [HopSegment] = [], problems: [String] = [], cpu: CPUUsage? = nil,
        database: DatabaseActivity? = nil
    ) {
        self.name = name
        self.judged = judged
        self.concurrency = concurrency
        self.durationSeconds = durationSeconds
        self.elapsedSeconds = elapsedSeconds
        self.submitted = submitted
        self.applied = applied
        self.failed = failed
        self.lost = lost
        self.rejected = rejected
        self.specsPerSecond = elapsedSeconds > 0 ? Double(applied) / elapsedSeconds : 0
        self.latency = latency
        self.post = post
        self.breakdown = breakdown
        self.problems = problems
        self.cpu = cpu
        self.database = database
    }
}

/// One stretch of a spec's way through the pipeline.
public struct HopSegment: Codable, Sendable, Hashable {
    public var name: String
    public var summary: LatencySummary

    public init(name: String, summary: LatencySummary) {
        self.name = name
        self.summary = summary
    }
}

/// Placement of the seed's spec on a synthetic fleet.
public struct PlacementResult: Codable, Sendable, Hashable {
    public var hosts: Int
    public var agents: Int
    /// Objects in the placed spec.
    public var objects: Int
    public var iterations: Int
    /// One `Placement.place` call for the whole spec.
    public var perCall: LatencySummary
    /// ``perCall`` divided by ``objects``.
    public var perObject: LatencySummary
    /// Building the `PlacementSnapshot` (with its host index) from the agents, once per spec;
    /// not part of ``perCall``. Absent from reports written before it was measured.
    public var snapshotBuild: LatencySummary?
    /// Bringing a snapshot kept from an earlier spec up to date with the claim totals read now
    /// (two agents changed), which the scheduler does instead of building one. Absent from
    /// reports written before it was measured.
    public var snapshotUpdate: LatencySummary?

    public init(hosts: Int, agents: Int, objects: Int, iterations: Int, perCall: LatencySummary,
                snapshotBuild: LatencySummary? = nil, snapshotUpdate: LatencySummary? = nil) {
        self.hosts = hosts
        self.agents = agents
        self.objects = objects
        self.iterations = iterations
        self.perCall = perCall
        let share = 1 / Double(Swift.max(1, objects))
        self.perObject = LatencySummary(
            count: perCall.count, p50: perCall.p50 * share, p90: perCall.p90 * share, p99: perCall.p99 * share,
            max: perCall.max * share, mean: perCall.mean * share)
        self.snapshotBuild = snapshotBuild
        self.snapshotUpdate = snapshotUpdate
    }
}

/// A service process's resident memory, idle (before the load) and at the end of the load.
public struct ServiceMemory: Codable, Sendable, Hashable {
    public var name: String
    public var pid: Int32
    public var idle: ProcessSample?
    public var end: ProcessSample?

    public init(name: String, pid: Int32, idle: ProcessSample? = nil, end: ProcessSample? = nil) {
        self.name = name
        self.pid = pid
        self.idle = idle
        self.end = end
    }
}

/// `VmRSS` and `Threads` of one process at one moment, from `/proc/PID/status`, and its `Pss`
/// from `/proc/PID/smaps_rollup` (absent from reports written before it was measured).
public struct ProcessSample: Codable, Sendable, Hashable {
    public var rssKiB: Int
    public var threads: Int
    public var pssKiB: Int?

    public init(rssKiB: Int, threads: Int, pssKiB: Int? = nil) {
        self.rssKiB = rssKiB
        self.threads = threads
        self.pssKiB = pssKiB
    }

    public var rssMiB: Double { Double(rssKiB) / 1024 }
}
