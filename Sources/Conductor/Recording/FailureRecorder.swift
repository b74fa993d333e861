import Clients
import Foundation
import Logging
import Messages
import ServiceDatabase
import ServiceSupport
import Store
import W3CTraceContext

/// One object that failed on an agent, whatever said so (an `ERROR` result, a missed deadline,
/// a dead agent).
struct ObjectFailure: Sendable {
    var node: GraphNode
    /// The agent it failed on; nil when none was involved.
    var agent: ObjectID?
    /// Why, in words a person can act on; the agent is added when known.
    var reason: String
    /// Whether the agent said it failed (an `ERROR` result), so the next attempt avoids it. A
    /// missed deadline or a dead agent is not held against it: the object may still be there, a
    /// removal can only be done there, and a same-host spec has nowhere else to go; the
    /// scheduler waits for such an agent instead.
    var blamesAgent: Bool = true

    var fullReason: String {
        agent.map { "on agent \($0): \(reason)" } ?? reason
    }
}

/// Records failed attempts of objects of one spec version and acts on them, inside the caller's
/// transaction (which holds the spec's lock): each failure is a `conductor_failures` row and
/// marks its node `FAILED`; objects with attempts left go back to the scheduler in one
/// rescheduling `Spec` (through the outbox) with a `RESCHEDULED` event each; objects without
/// fail for good with a `FAILED` event, and so does their version, with the reason.
struct FailureRecorder: Sendable {
    let maxAttempts: Int
    let logger: Logger

    /// The state written to a node whose latest attempt failed.
    static let failedObservedState = "FAILED"

    struct Summary: Sendable, Equatable {
        var rescheduled: [UUID] = []
        var failed: [UUID] = []
    }

    func record(
        _ failures: [ObjectFailure], specID: Int64, version: Int, trace: TraceContext?, in tx: any ConductorTransaction
    ) async throws -> Summary {
        guard !failures.isEmpty else { return Summary() }
        let record = try await tx.specVersion(specID, version: version)
        var summary = Summary()
        var toReschedule: [Object] = []
        var avoid: [ObjectID] = []
        var nodes: [GraphNode] = []
        var events: [Event] = []
        var versionFailure: String?

        for failure in failures {
            let objectID = failure.node.id
            try await tx.recordFailure(RecordedFailure(
                specID: specID, version: version, objectID: objectID,
                agentID: failure.blamesAgent ? failure.agent?.uuid : nil,
                reason: failure.blamesAgent ? failure.reason : failure.fullReason))
            let history = try await tx.failures(objectID: objectID, version: version)
            var node = failure.node
            node.observedState = Self.failedObservedState
            nodes.append(node)
            let decision = RetryDecision.decide(
                failedAgents: history.map { $0.agentID.map(ObjectID.init) }, lastReason: failure.fullReason,
                maxAttempts: maxAttempts, versionPending: record?.state.isOpen ?? false)
            let metadata: Logger.Metadata = [
                "spec_id": "\(specID)", "version": "\(version)", "object_id": "\(ObjectID(objectID))",
                "agent_id": "\(failure.agent?.description ?? "-")", "attempts": "\(history.count)",
            ]
            switch decision {
            case .reschedule(let agents, let attempt):
                toReschedule.append(try Self.object(of: node))
                for agent in agents where !avoid.contains(agent) { avoid.append(agent) }
                let avoiding = agents.isEmpty ? "" : ", avoiding agent\(agents.count == 1 ? "" : "s") "
                    + agents.map(\.description).joined(separator: ", ")
                events.append(Event(
                    specID: specID, version: version, objectID: objectID, kind: .rescheduled,
                    message: "attempt \(attempt - 1) of \(maxAttempts) failed (\(failure.fullReason)); "
                        + "placing it again (attempt \(attempt) of \(maxAttempts))\(avoiding)"))
                summary.rescheduled.append(objectID)
                logger.notice("object failed, rescheduling", metadata: metadata)
            case .giveUp(let reason):
                events.append(Event(specID: specID, version: version, objectID: objectID, kind: .failed, message: reason))
                versionFailure = versionFailure ?? "\(Self.describe(node)) \(reason)"
                summary.failed.append(objectID)
                logger.warning("object failed for good", metadata: metadata)
            }
        }

        try await tx.upsertNodes(nodes)
        try await tx.setPlacementPhase(.rescheduling, objectIDs: toReschedule.compactMap(\.id?.uuid))
        try await tx.setPlacementPhase(.failed, objectIDs: summary.failed)
        if !toReschedule.isEmpty {
            let annotations = try record.map { try MessageCodec.decode(Annotations.self, from: $0.annotations, format: .json) }
            let message = ReschedulingSpec.make(
                specID: specID, version: version, annotations: annotations, objects: toReschedule, avoid: avoid)
            try await tx.enqueueOutbox([OutboxMessage(SchedulerClient.spec(message, trace: trace))])
        }
        if let reason = versionFailure, record?.state == .pending {
            try await tx.setState(.failed, specID: specID, version: version, reason: reason)
            events.append(Event(specID: specID, version: version, kind: .failed,
                                message: "version \(version) failed: \(reason)"))
            logger.warning("spec version failed", metadata: ["spec_id": "\(specID)", "version": "\(version)"])
        }
        try await tx.appendEvents(events)
        return summary
    }

    /// The object a node holds, with the node's desired state (which a later version may have
    /// changed without rewriting the document).
    static func object(of node: GraphNode) throws -> Object {
        var object = try MessageCodec.decode(Object.self, from: node.object, format: .json)
        object.desiredState = node.desiredState ?? object.desiredState
        return object
    }

    /// `resource/vm/kvm web (56410722-…)`, for reasons a person reads.
    static func describe(_ node: GraphNode) -> String {
        let name = node.name.isEmpty ? "" : " \(node.name)"
        return "\(node.type)\(name) (\(ObjectID(node.id)))"
    }
}
