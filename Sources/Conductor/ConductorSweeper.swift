import Foundation
import Logging
import MessageHandling
import Messages
import ServiceLifecycle
import ServiceDatabase
import ServiceSupport
import Store
import W3CTraceContext

/// The conductor's periodic sweep, so nothing waits without a deadline: agents silent for three
/// intervals become `dead`, and objects whose round has gone on too long (scheduled on a dead
/// agent, no result within `applyDeadline`, not placed again in time, never taken by a
/// scheduler) are failed on their agent — rescheduled or given up on exactly as an `ERROR`
/// result would be (``SweepDecision``). It reads only the rounds still in flight, oldest first.
///
/// It judges by silence only while its conductor can hear (``HearingMonitor``): after a broker
/// or database outage, or a restart, it waits until the conductor has heard for three heartbeat
/// intervals and caught up with its queue. A conductor that cannot hear declares nobody dead.
///
/// Safe to run in every replica at once: an agent is marked under its node's row lock after its
/// silence is checked again, and a spec is swept only under its row lock taken with `SKIP
/// LOCKED` (a spec another replica or a result is busy with is left to the next sweep), with its
/// objects' rounds read again under that lock.
///
/// Each sweep ends by counting the registry's agents for the `n0core_agents` gauge
/// (``AgentMetrics``), blind or not.
public struct ConductorSweeper: Service {
    let repository: any ConductorRepository
    let configuration: ConductorConfiguration
    let registry: AgentRegistry
    let failures: FailureRecorder
    let hearing: HearingMonitor
    let gate: OutageGate?
    let logger: Logger
    let metrics = AgentMetrics()

    /// - Parameters:
    ///   - hearing: what the conductor replica this sweeper belongs to can hear
    ///     (``ConductorService/hearing``).
    ///   - gate: the replica's database gate (``ConductorService/gate``): a failing sweep closes
    ///     it, and sweeps wait while it is closed.
    public init(
        store: any ConductorRepository, configuration: ConductorConfiguration, hearing: HearingMonitor, gate: OutageGate?,
        logger: Logger
    ) {
        repository = store
        self.configuration = configuration
        self.hearing = hearing
        self.gate = gate
        self.logger = logger
        registry = AgentRegistry(store: store, logger: logger)
        failures = FailureRecorder(maxAttempts: configuration.maxAttempts, logger: logger)
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                if let gate, !gate.isOpen {
                    guard await gate.waitUntilOpen() else { break }
                }
                do {
                    _ = try await withDeadline(configuration.databaseTimeout, onOverrun: .abandon) { try await sweep() }
                } catch {
                    if Task.isCancelled { break }
                    if case .pause(let reason) = ErrorClassifier.store.disposition(for: error) {
                        gate?.close(reason: reason)
                    } else {
                        logger.warning("sweep failed; retrying at the next interval", metadata: ["error": "\(error)"])
                    }
                }
                try? await Task.sleep(for: configuration.sweepInterval)
            }
        }
    }

    /// What one sweep did.
    public struct Report: Sendable, Equatable {
        /// Why the sweep judged nobody (the conductor could not hear), or nil.
        public var blind: String?
        /// Agents declared dead.
        public var deadAgents: [UUID] = []
        /// Objects sent back to the scheduler.
        public var rescheduled: [UUID] = []
        /// Objects given up on.
        public var failed: [UUID] = []
    }

    /// One sweep: dead agents first, so the objects they held are failed in the same sweep;
    /// then the agents are counted, so those declared dead now are counted so.
    @discardableResult
    public func sweep() async throws -> Report {
        let report = try await judge()
        metrics.record(try await registry.census())
        return report
    }

    private func judge() async throws -> Report {
        var report = Report()
        let heardFor: Duration
        switch hearing.verdict() {
        case .blind(let why):
            report.blind = why
            logger.debug("not judging anyone by silence", metadata: ["why": "\(why)"])
            return report
        case .hearing(let duration):
            heardFor = duration
        }
        report.deadAgents = try await registry.markSilentAgentsDead(heardFor: heardFor)
        guard heardFor >= configuration.leaseGrace else {
            report.blind = "hearing for \(heardFor.secondsText) of the \(configuration.leaseGrace.secondsText) before deadlines count"
            return report
        }
        let overdue = try await repository.transaction { tx in
            try await tx.overduePlacements(
                acceptedSeconds: configuration.acceptedDeadlineSeconds, inFlightSeconds: configuration.applyDeadlineSeconds,
                scheduledRelation: Relation.scheduled)
        }
        var specs: [Int64] = []
        var objectsBySpec: [Int64: [UUID]] = [:]
        for round in overdue {
            if objectsBySpec[round.specID] == nil { specs.append(round.specID) }
            objectsBySpec[round.specID, default: []].append(round.objectID)
        }
        for specID in specs {
            let summary = try await sweep(specID: specID, objects: objectsBySpec[specID] ?? [])
            report.rescheduled += summary.rescheduled
            report.failed += summary.failed
        }
        return report
    }

    private func sweep(specID: Int64, objects: [UUID]) async throws -> FailureRecorder.Summary {
        try await repository.transaction { tx in
            guard try await tx.lockSpec(specID, skipLocked: true) != nil else { return FailureRecorder.Summary() }
            let rounds = try await tx.placements(objects).values.filter { $0.specID == specID }
            guard !rounds.isEmpty else { return FailureRecorder.Summary() }
            let placements = try await tx.scheduledPlacements(rounds.map(\.objectID), relation: Relation.scheduled)
            let decided = SweepDecision.failures(
                rounds: rounds,
                placements: Dictionary(placements.map { ($0.objectID, $0) }, uniquingKeysWith: { first, _ in first }),
                now: try await tx.databaseNow(), applyDeadlineSeconds: configuration.applyDeadlineSeconds,
                acceptedDeadlineSeconds: configuration.acceptedDeadlineSeconds)
            var summary = FailureRecorder.Summary()
            let trace = decided.isEmpty ? nil : TraceContext.start()
            for (version, group) in Dictionary(grouping: decided, by: \.version).sorted(by: { $0.key < $1.key }) {
                var objectFailures: [ObjectFailure] = []
                for failure in group {
                    guard let node = try await tx.node(failure.objectID) else { continue }
                    objectFailures.append(ObjectFailure(node: node, agent: failure.agentID, reason: failure.reason, blamesAgent: false))
                }
                let recorded = try await failures.record(objectFailures, specID: specID, version: version, trace: trace, in: tx)
                summary.rescheduled += recorded.rescheduled
                summary.failed += recorded.failed
            }
            return summary
        }
    }
}
