import Foundation
import Logging
import NIOCore
import NIOHTTP1
import PostgresNIO

/// What the load generator sends and where.
public struct LoadSettings: Sendable {
    public var endpoint: APIEndpoint
    public var token: String
    /// The document every client POSTs (each POST makes new resources).
    public var document: String
    /// A spec neither applied nor failed this long after its POST was accepted counts as lost.
    public var specTimeout: Duration

    public init(endpoint: APIEndpoint, token: String, document: String = BenchDocuments.seedSpec,
                specTimeout: Duration = .seconds(60)) {
        self.endpoint = endpoint
        self.token = token
        self.document = document
        self.specTimeout = specTimeout
    }
}

/// Closed-loop load: `concurrency` clients, each on its own keep-alive connection, POST the
/// document, wait until the spec is applied (or failed, or lost), and POST again, until the
/// phase's time is up; then the specs still in flight are waited for.
///
/// A spec's latency is from the moment its client had the `201` to the conductor's version
/// `APPLIED` event (see ``CompletionTracker``); throughput is applied specs over the time from
/// the first POST to the last settled spec.
public struct LoadGenerator: Sendable {
    let settings: LoadSettings
    let client: PostgresClient
    let processNames: [Int32: String]
    let logger: Logger

    /// - Parameters:
    ///   - client: the system's database (for the event log), with `run()` running.
    ///   - processNames: names for the CPU table, by pid (see ``CPUSnapshot/usage(since:names:minimum:)``).
    public init(settings: LoadSettings, client: PostgresClient, processNames: [Int32: String] = [:], logger: Logger) {
        self.settings = settings
        self.client = client
        self.processNames = processNames
        self.logger = logger
    }

    public func runPhase(name: String, judged: Bool = true, concurrency: Int, duration: Duration) async throws -> LoadPhaseResult {
        let tracker = CompletionTracker(client: client, logger: logger)
        let recorder = PhaseRecorder()
        let countersBefore = try? await DatabaseCounters.read(client: client, logger: logger)
        let cpuBefore = CPUSnapshot.take()
        let start = ContinuousClock.now
        let end = start + duration
        let body = ByteBuffer(string: settings.document)
        logger.info("load phase starting", metadata: ["phase": "\(name)", "clients": "\(concurrency)",
                                                      "seconds": "\(duration.components.seconds)"])
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await tracker.run() }
            await withTaskGroup(of: Void.self) { clients in
                for _ in 0..<max(1, concurrency) {
                    clients.addTask { await self.client(until: end, body: body, tracker: tracker, recorder: recorder) }
                }
            }
            group.cancelAll()
        }
        let cpu = CPUSnapshot.take().usage(since: cpuBefore, names: processNames)
        let outcome = await recorder.outcome(start: start)
        // Counters are published at the end of each transaction, at least every second.
        try? await Task.sleep(for: .seconds(1))
        let countersAfter = try? await DatabaseCounters.read(client: client, logger: logger)
        let ownQueries = await tracker.queries + 1
        let database = countersBefore.flatMap { before in
            countersAfter?.perSpec(since: before, specs: outcome.applied, ownTransactions: ownQueries)
        }
        let breakdown: [HopSegment]
        do {
            let timelines = try await TimelineQuery.timelines(accepted: outcome.appliedAcceptances, client: client, logger: logger)
            breakdown = HopBreakdown.segments(timelines)
        } catch {
            logger.warning("cannot read the hop breakdown", metadata: ["error": "\(String(reflecting: error))"])
            breakdown = []
        }
        return LoadPhaseResult(
            name: name, judged: judged, concurrency: concurrency, durationSeconds: Double(duration.components.seconds),
            elapsedSeconds: outcome.elapsed.milliseconds / 1_000, submitted: outcome.submitted,
            applied: outcome.applied, failed: outcome.failed, lost: outcome.lost, rejected: outcome.rejected,
            latency: LatencySummary(milliseconds: outcome.latencies), post: LatencySummary(milliseconds: outcome.posts),
            breakdown: breakdown, problems: outcome.problems, cpu: cpu, database: database)
    }

    /// One client: a connection, reopened after an error, and one spec in flight at a time.
    private func client(until end: ContinuousClock.Instant, body: ByteBuffer, tracker: CompletionTracker,
                        recorder: PhaseRecorder) async {
        let headers = [("Authorization", "Bearer \(settings.token)"), ("Content-Type", "application/yaml"),
                       ("Accept", "application/json")]
        while ContinuousClock.now < end, !Task.isCancelled {
            do {
                try await HTTPConnection.with(settings.endpoint) { connection in
                    while ContinuousClock.now < end {
                        let sent = ContinuousClock.now
                        let response = try await connection.send(.POST, "/api/spec/", headers: headers, body: body)
                        let acceptedAt = Date()
                        let post = (ContinuousClock.now - sent).milliseconds
                        guard response.status == 201, let id = Self.specID(response.body) else {
                            await recorder.rejected("POST answered \(response.status): "
                                + String(decoding: response.body.readableBytesView.prefix(300), as: UTF8.self))
                            try await Task.sleep(for: .milliseconds(100))
                            continue
                        }
                        await recorder.accepted(id, at: acceptedAt, post: post)
                        let settlement = await tracker.wait(for: id, timeout: settings.specTimeout)
                        await recorder.settled(id, acceptedAt: acceptedAt, settlement)
                    }
                }
            } catch {
                await recorder.rejected("HTTP: \(error)")
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    private struct Accepted: Decodable {
        var id: Int64
    }

    static func specID(_ body: ByteBuffer) -> Int64? {
        try? JSONDecoder().decode(Accepted.self, from: Data(body.readableBytesView)).id
    }
}

/// What the clients of one phase saw.
private actor PhaseRecorder {
    struct Outcome {
        var submitted = 0
        var applied = 0
        var failed = 0
        var lost = 0
        var rejected = 0
        var latencies: [Double] = []
        var posts: [Double] = []
        var problems: [String] = []
        var appliedAcceptances: [Int64: Date] = [:]
        var elapsed: Duration = .zero
    }

    private var outcome = Outcome()
    private var lastSettled: ContinuousClock.Instant?
    private static let problemLimit = 8

    func accepted(_ id: Int64, at date: Date, post: Double) {
        outcome.submitted += 1
        outcome.posts.append(post)
    }

    func settled(_ id: Int64, acceptedAt: Date, _ settlement: Settlement?) {
        lastSettled = .now
        guard let settlement else {
            outcome.lost += 1
            note("spec \(id) neither applied nor failed in time (lost)")
            return
        }
        if settlement.applied {
            outcome.applied += 1
            outcome.latencies.append(settlement.at.timeIntervalSince(acceptedAt) * 1_000)
            outcome.appliedAcceptances[id] = acceptedAt
        } else {
            outcome.failed += 1
            note("spec \(id) failed: \(settlement.message)")
        }
    }

    func rejected(_ reason: String) {
        lastSettled = .now
        outcome.rejected += 1
        note(reason)
    }

    private func note(_ problem: String) {
        if outcome.problems.count < Self.problemLimit, !outcome.problems.contains(problem) {
            outcome.problems.append(problem)
        }
    }

    func outcome(start: ContinuousClock.Instant) -> Outcome {
        var result = outcome
        result.elapsed = (lastSettled ?? start) - start
        return result
    }
}
