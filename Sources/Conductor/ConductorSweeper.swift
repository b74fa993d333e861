import Foundation
import Logging
import Messages
import ServiceLifecycle
import ServiceSupport
import Store
import W3CTraceContext

/// The conductor's periodic sweep, so nothing waits without a deadline: agents silent for three
/// intervals become `dead`, and objects that will not get a result (scheduled on a dead agent,
/// not applied within `applyDeadline`, not placed again in time) are failed on their agent —
/// rescheduled or given up on exactly as an `ERROR` result would be.
///
/// Safe to run in every replica at once: an agent is marked under its node's row lock after its
/// silence is checked again, and a spec is swept only under its row lock taken with `SKIP
/// LOCKED` (a spec another replica or a result is busy with is left to the next sweep), with its
/// objects' status read again under that lock.
public struct ConductorSweeper: Service {
    let store: Store
    let configuration: ConductorConfiguration
    let registry: AgentRegistry
    let failures: FailureRecorder
    let logger: Logger

    public init(store: Store, configuration: ConductorConfiguration, logger: Logger) {
        self.store = store
        self.configuration = configuration
        self.logger = logger
        registry = AgentRegistry(store: store, logger: logger)
        failures = FailureRecorder(maxAttempts: configuration.maxAttempts, logger: logger)
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await sweep()
                } catch {
                    if Task.isCancelled { break }
                    logger.warning("sweep failed; retrying at the next interval", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: configuration.sweepInterval)
            }
        }
    }

    /// What one sweep did.
    public struct Report: Sendable, Equatable {
        /// Agents declared dead.
        public var deadAgents: [UUID] = []
        /// Objects sent back to the scheduler.
        public var rescheduled: [UUID] = []
        /// Objects given up on.
        public var failed: [UUID] = []
    }

    /// One sweep: dead agents first, so the objects they held are failed in the same sweep.
    @discardableResult
    public func sweep() async throws -> Report {
        var report = Report()
        report.deadAgents = try await registry.markSilentAgentsDead()
        let candidates = try await store.withTransaction { tx in
            try await tx.sweepCandidates(olderThanSeconds: configuration.applyDeadlineSeconds,
                                         scheduledRelation: Relation.scheduled)
        }
        for specID in candidates {
            let summary = try await sweep(specID: specID)
            report.rescheduled += summary.rescheduled
            report.failed += summary.failed
        }
        return report
    }

    private func sweep(specID: Int64) async throws -> FailureRecorder.Summary {
        try await store.withTransaction { tx in
            guard try await tx.lockSpec(specID, skipLocked: true) != nil else { return FailureRecorder.Summary() }
            let pendingVersions = Set(try await tx.specVersions(specID).filter { $0.state == .pending }.map(\.version))
            let statuses = ObjectStatus.statuses(from: try await tx.events(specID: specID))
            let waiting = statuses.values.filter {
                pendingVersions.contains($0.version) && ($0.state == .scheduled || $0.state == .rescheduling)
            }
            guard !waiting.isEmpty else { return FailureRecorder.Summary() }
            let placements = try await tx.scheduledPlacements(waiting.map(\.objectID), relation: Relation.scheduled)
            let decided = SweepDecision.failures(
                statuses: waiting, pendingVersions: pendingVersions,
                placements: Dictionary(placements.map { ($0.objectID, $0) }, uniquingKeysWith: { first, _ in first }),
                now: try await tx.databaseNow(), applyDeadlineSeconds: configuration.applyDeadlineSeconds)
            var summary = FailureRecorder.Summary()
            let trace = decided.isEmpty ? nil : TraceContext.start()
            for (version, group) in Dictionary(grouping: decided, by: \.version).sorted(by: { $0.key < $1.key }) {
                var objectFailures: [ObjectFailure] = []
                for failure in group {
                    guard let node = try await tx.node(failure.objectID) else { continue }
                    objectFailures.append(ObjectFailure(node: node, agent: failure.agentID, reason: failure.reason))
                }
                let recorded = try await failures.record(objectFailures, specID: specID, version: version, trace: trace, in: tx)
                summary.rescheduled += recorded.rescheduled
                summary.failed += recorded.failed
            }
            return summary
        }
    }
}
