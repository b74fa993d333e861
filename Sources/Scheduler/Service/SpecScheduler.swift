import Broker
import Clients
import Foundation
import Logging
import Messages
import ServiceSupport
import Store
import W3CTraceContext

/// Schedules one `Spec` message in one database transaction: records it as processed, reads
/// the spec's graph and a snapshot of agents and claims, places the objects, and writes the
/// claims, `scheduled` edges, MAC addresses, events and the `Request`s (outbox) together, or
/// records why nothing could be placed.
///
/// Concurrent replicas: the snapshot is read without locks and placement runs on it; then the
/// agents that get claims are locked (in id order) and their claims read again. If another
/// replica claimed their capacity meanwhile, the transaction is rolled back and run again, this
/// time locking every candidate agent up front, so it cannot lose the race twice.
struct SpecScheduler: Sendable {
    let store: Store
    let settings: SchedulerSettings
    let logger: Logger
    let descriptions = AgentDescriptions()

    enum Outcome: Sendable, Equatable {
        /// The message was processed before (a redelivery): nothing done.
        case duplicate
        case scheduled(version: Int, requests: Int)
        case failed(version: Int, reason: String)
    }

    /// Attempts on a stale snapshot or a serialization failure before giving up for now (the
    /// service then waits and tries the delivery again).
    static let attempts = 5

    func schedule(_ message: SpecMessage, messageID: UUID, trace: TraceContext?) async throws -> Outcome {
        try SpecRejection.check(message)
        var attempt = 0
        while true {
            attempt += 1
            let lockAll = attempt > 1
            do {
                return try await store.withTransaction { tx in
                    try await run(tx, message: message, messageID: messageID, trace: trace, lockAll: lockAll)
                }
            } catch let error as StaleSnapshot where attempt < Self.attempts {
                logger.debug("snapshot went stale, placing again", metadata: [
                    "spec_id": "\(message.id)", "attempt": "\(attempt)", "why": "\(error)",
                ])
            } catch StoreError.retryable(let why) where attempt < Self.attempts {
                logger.debug("transaction must be retried", metadata: ["spec_id": "\(message.id)", "why": "\(why)"])
                try await Task.sleep(for: .milliseconds(Int.random(in: 5...50)))
            }
        }
    }

    private func run(
        _ tx: StoreTransaction, message: SpecMessage, messageID: UUID, trace: TraceContext?, lockAll: Bool
    ) async throws -> Outcome {
        guard try await tx.markProcessed(consumer: settings.consumerName, messageID: messageID) else { return .duplicate }
        guard let head = try await tx.spec(message.id) else {
            throw SpecRejection("spec \(message.id) does not exist")
        }
        let version = message.version ?? head.latestVersion
        guard try await tx.specVersion(message.id, version: version) != nil else {
            throw SpecRejection("spec \(message.id) has no version \(version)")
        }
        let constraints: SchedulingConstraints
        do {
            constraints = try SchedulingConstraints(annotations: message.annotations)
        } catch {
            let reason = error.description
            let failure = PlacementFailure(
                reasons: Dictionary(message.spec.compactMap { $0.id.map { ($0, reason) } }, uniquingKeysWith: { a, _ in a }),
                summary: reason)
            try await recordFailure(tx, message: message, version: version, failure)
            return .failed(version: version, reason: reason)
        }

        let context = try await SpecContext.load(tx, message: message, logger: logger)
        let objectIDs = message.spec.compactMap(\.id)
        var claims: [ObjectID: ObjectClaim] = [:]
        for claim in try await tx.claims(objectIDs: objectIDs.map(\.uuid)) {
            claims[ObjectID(claim.objectID)] = ObjectClaim(claim)
        }
        let types = Set(message.spec.filter { !$0.isBeingRemoved }.compactMap { $0.type?.servingAgent })
        let registrations = try await tx.agents(StoreTransaction.AgentQuery(
            types: types.map(\.rawValue).sorted(),
            hostID: constraints.hostID?.description,
            only: settings.onlyAgents.map { $0.map(\.uuid) },
            including: Set(context.current.values.joined()).map(\.uuid),
            aliveWithinSeconds: settings.agentTimeoutSeconds), lock: lockAll)
        let agents = try await registeredAgents(tx, registrations)
        let request = PlacementRequest(
            specID: message.id, objects: message.spec, related: context.related, siblings: context.siblings,
            current: context.current, claims: claims, constraints: constraints)

        switch Placement.place(request, in: PlacementSnapshot(agents: agents)) {
        case .failure(let failure):
            try await recordFailure(tx, message: message, version: version, failure)
            return .failed(version: version, reason: failure.summary)
        case .success(let plan):
            try await verify(tx, plan)
            let requests = try await record(
                tx, plan: plan, message: message, version: version, context: context, agents: agents, trace: trace)
            return .scheduled(version: version, requests: requests)
        }
    }

    /// The registry rows as placement sees them, with their claims; rows that do not describe
    /// an agent with a host are skipped, so one bad registration does not stop scheduling.
    private func registeredAgents(_ tx: StoreTransaction, _ registrations: [AgentRegistration]) async throws -> [RegisteredAgent] {
        let totals = try await tx.claimTotals(agentIDs: registrations.map(\.node.id))
        return registrations.compactMap { registration in
            let agent = RegisteredAgent(registration, description: descriptions.description(of: registration.node),
                                        claimed: totals[registration.node.id])
            if agent == nil {
                logger.debug("skipping a registry node that is not an agent with a host", metadata: ["node_id": "\(registration.node.id)"])
            }
            return agent
        }
    }

    /// Locks the agents the plan claims on and checks the plan against their claims as they
    /// are now; throws ``StaleSnapshot`` when another transaction got there first.
    private func verify(_ tx: StoreTransaction, _ plan: PlacementPlan) async throws {
        let agentIDs = Set(plan.claims.values.map(\.agentID)).sorted().map(\.uuid)
        guard !agentIDs.isEmpty else { return }
        let locked = try await tx.lockAgents(agentIDs, aliveWithinSeconds: settings.agentTimeoutSeconds)
        let agents = try await registeredAgents(tx, locked)
        var current: [ObjectID: ObjectClaim] = [:]
        for claim in try await tx.claims(objectIDs: Set(plan.claims.keys).union(plan.released).map(\.uuid)) {
            current[ObjectID(claim.objectID)] = ObjectClaim(claim)
        }
        let problems = CapacityCheck.problems(
            plan, agents: Dictionary(agents.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a }), currentClaims: current)
        if !problems.isEmpty { throw StaleSnapshot(problems: problems) }
    }

    /// Writes a successful placement and queues its requests; returns how many.
    private func record(
        _ tx: StoreTransaction, plan: PlacementPlan, message: SpecMessage, version: Int, context: SpecContext,
        agents: [RegisteredAgent], trace: TraceContext?
    ) async throws -> Int {
        try await tx.deleteClaims(objectIDs: plan.released.filter { plan.claims[$0] == nil }.map(\.uuid))
        try await tx.upsertClaims(plan.claims.map { id, claim in
            Claim(objectID: id.uuid, agentID: claim.agentID.uuid, specID: message.id, vcpus: claim.resources.vcpus,
                  memoryBytes: claim.resources.memoryBytes, diskBytes: claim.resources.diskBytes)
        })

        var objects = context.related
        for object in message.spec { if let id = object.id { objects[id] = object } }
        try await assignHardwareAddresses(tx, plan: plan, objects: &objects, context: context)

        var edges: [GraphEdge] = []
        let property = MessageCodec.encodeString(DependencyProperty(relation: Relation.scheduled), format: .json)
        for (id, placed) in plan.placements.sorted(by: { $0.key < $1.key })
        where Set(placed) != Set(context.current[id] ?? []) {
            try await tx.deleteEdges(from: id.uuid, relation: Relation.scheduled)
            let specID = context.nodes[id]?.specID ?? message.id
            edges += placed.map { GraphEdge(source: id.uuid, target: $0.uuid, relation: Relation.scheduled, properties: property, specID: specID) }
        }
        try await tx.upsertEdges(edges)

        let agentsByID = Dictionary(agents.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var events: [Event] = []
        for id in plan.scheduledObjects {
            let targets = plan.assignments.filter { $0.objectID == id }.map { assignment in
                agentsByID[assignment.agentID].map { "\($0.type.rawValue) \($0.id) on host \($0.hostID)" }
                    ?? "agent \(assignment.agentID)"
            }
            let removing = objects[id]?.isBeingRemoved == true
            events.append(Event(specID: message.id, version: version, objectID: id.uuid, kind: .scheduled,
                                message: (removing ? "removal sent to " : "scheduled on ") + targets.joined(separator: ", ")))
        }
        for id in plan.nothingToDo {
            events.append(Event(specID: message.id, version: version, objectID: id.uuid, kind: .applied,
                                message: "was never placed on an agent; nothing to remove"))
        }
        try await tx.appendEvents(events)

        var placements = context.current
        for (id, placed) in plan.placements { placements[id] = placed }
        let agentObjects = Dictionary(agents.map { ($0.id, $0.object) }, uniquingKeysWith: { a, _ in a })
        let builder = RequestBuilder(specID: message.id, objects: objects, placements: placements,
                                     agents: agentObjects, specMembers: context.specMembers)
        let outbox = plan.assignments.compactMap { assignment -> OutboxMessage? in
            guard let request = builder.request(for: assignment.objectID, to: assignment.agentID) else { return nil }
            return OutboxMessage(AgentClient.request(request, to: assignment.agentID, trace: trace?.nextHop()))
        }
        try await tx.enqueueOutbox(outbox)
        if plan.assignments.isEmpty {
            try await tx.setState(.applied, specID: message.id, version: version)
        }
        return outbox.count
    }

    /// Gives every placed NIC without a MAC address a unique one (keeping one it was given
    /// before), and saves it in the NIC's node.
    private func assignHardwareAddresses(
        _ tx: StoreTransaction, plan: PlacementPlan, objects: inout [ObjectID: Object], context: SpecContext
    ) async throws {
        var generator = SystemRandomNumberGenerator()
        var taken = Set<String>()
        var updates: [GraphNode] = []
        for id in plan.placements.keys.sorted() {
            guard var nic = objects[id], nic.type == .nic, !nic.isBeingRemoved, nic.hwAddr == nil else { continue }
            let node = context.nodes[id]
            var stored = node.flatMap { SpecContext.decode($0, logger: logger) }
            if let kept = stored?.hwAddr {
                nic.hwAddr = kept
                objects[id] = nic
                continue
            }
            var address = HardwareAddress.randomGuest(using: &generator).description
            while true {
                if !taken.contains(address), try await !tx.isHardwareAddressInUse(address, byOtherThan: id.uuid) { break }
                address = HardwareAddress.randomGuest(using: &generator).description
            }
            taken.insert(address)
            nic.hwAddr = address
            objects[id] = nic
            stored = stored ?? nic
            stored?.hwAddr = address
            updates.append(GraphNode(
                id: id.uuid, type: ObjectType.nic.rawValue, name: node?.name ?? nic.name ?? "",
                object: MessageCodec.encodeString(stored ?? nic, format: .json)))
        }
        try await tx.upsertNodes(updates)
    }

    /// No placement: every object gets a `FAILED` event with its reason, the version fails.
    private func recordFailure(_ tx: StoreTransaction, message: SpecMessage, version: Int, _ failure: PlacementFailure) async throws {
        let events = message.spec.compactMap { object -> Event? in
            guard let id = object.id else { return nil }
            return Event(specID: message.id, version: version, objectID: id.uuid, kind: .failed,
                         message: failure.reasons[id] ?? failure.summary)
        }
        try await tx.appendEvents(events)
        try await tx.setState(.failed, specID: message.id, version: version, reason: "scheduling failed: \(failure.summary)")
    }
}

extension ObjectClaim {
    init(_ claim: Claim) {
        self.init(agentID: ObjectID(claim.agentID),
                  resources: Resources(vcpus: claim.vcpus, memoryBytes: claim.memoryBytes, diskBytes: claim.diskBytes))
    }
}

extension RegisteredAgent {
    /// The agent a registry row describes, or nil when it is not an agent object with a host.
    init?(_ registration: AgentRegistration, description: AgentDescriptions.Description?, claimed: ClaimTotals?) {
        guard let type = ObjectType(rawValue: registration.node.type), type.isAgent, let description else { return nil }
        self.init(
            id: ObjectID(registration.node.id), type: type, hostID: description.hostID, alive: registration.alive,
            capacity: description.capacity,
            claimed: claimed.map { Resources(vcpus: $0.vcpus, memoryBytes: $0.memoryBytes, diskBytes: $0.diskBytes) } ?? .zero)
    }
}
