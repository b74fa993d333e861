import Foundation
import Logging
import MessageHandling
import Messages
import Store
import W3CTraceContext

/// Records agent results (`Notify`): each deduplicated by its `message_id`, the object's
/// observed state and the fields its agent filled applied to its graph node, an `APPLIED`
/// event, and the version marked applied when it was the last object; or, for an `ERROR`, the
/// failure handed to the ``FailureRecorder``. One result per transaction (``record(_:messageID:trace:)``),
/// or a batch in one transaction (``record(_:)``).
struct ResultRecorder: Sendable {
    let store: any ConductorRepository
    let failures: FailureRecorder
    let logger: Logger

    /// The consumer name results are deduplicated under.
    static let consumerName = "conductor"
    /// The state written to a node whose agent reported success.
    static let appliedObservedState = "APPLIED"

    enum Outcome: Sendable, Equatable {
        case duplicate
        case applied(versionApplied: Bool)
        case rescheduled
        case failed
        case progress
        case ignored(String)
    }

    /// One result to record in a batch.
    struct Item: Sendable {
        var notify: NotifyMessage
        var messageID: UUID
        var trace: TraceContext?
    }

    func record(_ notify: NotifyMessage, messageID: UUID, trace: TraceContext?) async throws -> Outcome {
        try await store.transaction { tx in
            try await record(Item(notify: notify, messageID: messageID, trace: trace), in: tx)
        }
    }

    /// Records the results in one transaction. When that fails (one result cannot be recorded,
    /// or the database failed), each is recorded again alone, so only the failing one fails and
    /// the batch never changes what is recorded. Specs are locked in ascending order, so two
    /// replicas' batches cannot deadlock on them.
    func record(_ items: [Item]) async -> [Result<Outcome, any Error>] {
        do {
            let order = items.indices.sorted { (items[$0].notify.specID, $0) < (items[$1].notify.specID, $1) }
            let outcomes = try await store.transaction { tx in
                var outcomes = [Outcome?](repeating: nil, count: items.count)
                for index in order { outcomes[index] = try await record(items[index], in: tx) }
                return outcomes.map { $0! }
            }
            return outcomes.map { .success($0) }
        } catch {
            guard items.count > 1 else { return [.failure(error)] }
            logger.debug("a batch of results failed; recording each alone", metadata: ["count": "\(items.count)", "error": "\(error)"])
            var results: [Result<Outcome, any Error>] = []
            for item in items {
                do {
                    results.append(.success(try await record(item.notify, messageID: item.messageID, trace: item.trace)))
                } catch {
                    results.append(.failure(error))
                }
            }
            return results
        }
    }

    private func record(_ item: Item, in tx: any ConductorTransaction) async throws -> Outcome {
        guard try await tx.markProcessed(consumer: Self.consumerName, messageID: item.messageID) else {
            return .duplicate
        }
        return try await apply(item.notify, trace: item.trace, in: tx)
    }

    private func apply(_ notify: NotifyMessage, trace: TraceContext?, in tx: any ConductorTransaction) async throws -> Outcome {
        let specID = notify.specID
        guard let objectID = notify.object.id else {
            throw MessageRejection("the Notify's object has no id")
        }
        guard let latestVersion = try await tx.lockSpec(specID) else {
            throw MessageRejection("spec \(specID) does not exist")
        }
        guard let notified = try await tx.notifiedObject(objectID.uuid, scheduledRelation: Relation.scheduled),
              notified.node.specID == specID
        else {
            throw MessageRejection("object \(objectID) is not part of spec \(specID)")
        }
        let node = notified.node, round = notified.placement
        let agent = notify.object.scheduledAgent?.id ?? notified.scheduledAgents.first.map(ObjectID.init)
        var metadata: Logger.Metadata = [
            "spec_id": "\(specID)", "object_id": "\(objectID)",
            "agent_id": "\(agent?.description ?? "-")", "level": "\(notify.level.rawValue)",
        ]
        // Fencing: a result of an attempt older than the object's current one belongs to an
        // abandoned attempt (the object was placed again since); what it made is removed by the
        // removal request its agent got when the object moved.
        if let attempt = notify.attempt, let round, attempt < round.attempt {
            let why = "a late result of abandoned attempt \(attempt) (the object is at attempt \(round.attempt))"
            if notify.level == .success || notify.level == .error {
                try await tx.appendEvents([Event(
                    specID: specID, version: round.version, objectID: objectID.uuid, kind: .abandoned,
                    message: "\(why) from agent \(agent?.description ?? "?"): \(notify.level.rawValue) \(notify.message)")])
            }
            metadata["why"] = "\(why)"
            logger.notice("ignoring a result", metadata: metadata)
            return .ignored(why)
        }
        var statuses = ObjectStatus.statuses(
            from: try await tx.latestObjectEvents(specID: specID, kinds: ObjectStatus.statusKinds))
        let status = statuses[objectID.uuid]
        let version = status?.version ?? round?.version ?? latestVersion
        metadata["version"] = "\(version)"
        let avoided = Set((notified.failedAgents[version] ?? []).map(ObjectID.init))
        let disposition = NotifyDisposition.decide(
            level: notify.level, message: notify.message, agent: agent, avoidedAgents: avoided,
            reportedDesiredState: notify.object.desiredState, desiredState: node.desiredState, state: status?.state)

        switch disposition {
        case .progress:
            // The agent is still at work: the deadline of its round starts again.
            if let attempt = notify.attempt ?? round?.attempt {
                try await tx.extendPlacement(objectID.uuid, attempt: attempt)
            }
            logger.debug("progress reported", metadata: metadata)
            return .progress

        case .ignore(let why):
            metadata["why"] = "\(why)"
            logger.notice("ignoring a result", metadata: metadata)
            return .ignored(why)

        case .fail(let reason):
            let summary = try await failures.record(
                [ObjectFailure(node: node, agent: agent, reason: reason)], specID: specID, version: version,
                trace: trace, in: tx)
            return summary.failed.isEmpty ? .rescheduled : .failed

        case .apply(let alreadyApplied):
            var updated = node
            updated.observedState = Self.appliedObservedState
            updated.object = MessageCodec.encodeString(
                try Self.storedObject(node, fallback: notify.object).mergingObservedFields(from: notify.object),
                format: .json)
            try await tx.upsertNodes([updated])
            try await tx.setPlacementPhase(.applied, objectIDs: [objectID.uuid])
            let released = try await releaseDeferredRemovals(of: node, attempt: notify.attempt ?? round?.attempt, agent: agent,
                                                             version: version, in: tx)
            if alreadyApplied {
                try await tx.appendEvents(released)
                logger.debug("object applied again", metadata: metadata)
                return .applied(versionApplied: false)
            }
            let on = agent.map { " on agent \($0)" } ?? ""
            var events = [Event(specID: specID, version: version, objectID: objectID.uuid, kind: .applied,
                                message: "applied\(on): \(notify.message)")]
            statuses[objectID.uuid] = ObjectStatus(objectID: objectID.uuid, version: version, state: .applied,
                                                   since: Date(), message: notify.message)
            var versionApplied = false
            if case .applied(let count) = VersionOutcome.decide(version: version, statuses: statuses.values),
               try await tx.specVersion(specID, version: version)?.state == .pending {
                try await tx.setState(.applied, specID: specID, version: version)
                events.append(Event(specID: specID, version: version, kind: .applied,
                                    message: "version \(version) applied: all \(count) objects applied"))
                versionApplied = true
            }
            try await tx.appendEvents(events + released)
            logger.info(versionApplied ? "object applied; spec version applied" : "object applied", metadata: metadata)
            return .applied(versionApplied: versionApplied)
        }
    }

    /// A volume moved off a draining host is applied as a copy: the old copy's removal, held back
    /// until now (``DeferredRemoval``), is sent. Returns the events that say so.
    private func releaseDeferredRemovals(
        of node: GraphNode, attempt: Int?, agent: ObjectID?, version: Int, in tx: any ConductorTransaction
    ) async throws -> [Event] {
        guard node.type == ObjectType.volumeFile.rawValue, let attempt else { return [] }
        let removals = try await tx.takeDeferredRemovals(objectID: node.id, appliedAttempt: attempt)
        guard !removals.isEmpty else { return [] }
        try await tx.enqueueOutbox(removals.map(\.message))
        let holders = removals.map { ObjectID($0.agentID).description }
        logger.info("a moved volume is applied; removing the copy it was made from", metadata: [
            "object_id": "\(ObjectID(node.id))", "agents": "\(holders.joined(separator: ","))",
        ])
        return zip(removals, holders).map { removal, holder in
            Event(specID: removal.specID, version: version, objectID: node.id, kind: .abandoned,
                  message: "agent \(holder) now removes the copy this volume was moved from: the copy is applied on agent "
                      + "\(agent?.description ?? "?") at attempt \(attempt)")
        }
    }

    /// The node's object; the reported one (without its embedded dependencies, which the graph
    /// holds as edges) if the stored document cannot be read.
    static func storedObject(_ node: GraphNode, fallback: Object) throws -> Object {
        if let stored = try? MessageCodec.decode(Object.self, from: node.object, format: .json) {
            return stored
        }
        return fallback.placeable
    }
}
