import Broker
import Clients
import Foundation
import Logging
import Messages
import ServiceDatabase
import ServiceSupport
import Store
import W3CTraceContext

/// Schedules a `Spec` message in one database transaction (alone, or with the others in hand):
/// records it as processed, takes the spec's lock, reads the spec's graph and a snapshot of agents and claims, places the objects,
/// and writes the claims, `scheduled` edges, MAC addresses, events, placement rounds and the
/// `Request`s (outbox) together.
///
/// - Ordering: the spec's row lock serializes everything that decides about one spec, and an
///   object whose placement already carries a newer version than the message is left alone (a
///   `DELETE` scheduled before the `POST` it follows does not resurrect anything).
/// - No room yet: when the spec would fit once dead agents are back or capacity frees
///   (``PlacementOutlook``), it waits (`WAITING` events with the reason, the message kept in
///   `deferred_specs`) and is tried again until ``SchedulerSettings/placementDeadline``; only a
///   spec that could never fit fails at once.
/// - Fencing: every `Request` carries the object's next attempt number; an object moved off an
///   agent (rescheduled) makes that agent a `Request` to remove what the abandoned attempt made.
///
/// Concurrent replicas: the snapshot is read without locks and placement runs on it; then the
/// agents that get claims are locked (in id order) and their claims read again. If another
/// replica claimed their capacity meanwhile, the transaction is rolled back and run again, this
/// time locking every candidate agent up front, so it cannot lose the race twice.
///
/// The candidates come from a ``RegistryCache`` kept between specs, as an indexed placement
/// snapshot; their claim totals are read in the transaction every time.
struct SpecScheduler: Sendable {
    let store: Store
    let settings: SchedulerSettings
    let logger: Logger
    let descriptions = AgentDescriptions()
    let registry: RegistryCache

    init(store: Store, settings: SchedulerSettings, logger: Logger) {
        self.store = store
        self.settings = settings
        self.logger = logger
        registry = RegistryCache(maxAge: settings.registryMaxAge)
    }

    enum Outcome: Sendable, Equatable {
        /// The message was processed before (a redelivery): nothing done.
        case duplicate
        case scheduled(version: Int, requests: Int)
        /// No room yet: kept and tried again.
        case waiting(version: Int, reason: String)
        /// Every object of the message already carries a newer version: nothing to do.
        case superseded(version: Int)
        case failed(version: Int, reason: String)
        /// A drain's move (``DrainMove``) was placed: what the spec had on the host goes elsewhere.
        case moved(version: Int, requests: Int)
        /// A drain's move cannot be placed: the spec's objects stay on the draining host.
        case pinned(version: Int, reason: String)
    }

    /// Attempts on a stale snapshot or a serialization failure before giving up for now (the
    /// service then waits and tries the delivery again).
    static let attempts = 5

    /// One `Spec` delivery to schedule.
    struct Item: Sendable {
        var message: SpecMessage
        var messageID: UUID
        var trace: TraceContext?
    }

    /// Schedules a `Spec` delivery, deduplicated by its `message_id`.
    func schedule(_ item: Item) async throws -> Outcome {
        try SpecRejection.check(item.message)
        return try await retryingRaces(specID: item.message.id) { tx, lockAll in
            try await schedule(item, in: tx, lockAll: lockAll)
        }
    }

    /// Schedules the deliveries in one transaction, in ascending spec order; each placement
    /// sees the claims of those before it. When that fails (one of them cannot be scheduled,
    /// or the database failed), each is scheduled again alone, so only the failing one fails
    /// and the batch never changes what is placed.
    func schedule(_ items: [Item]) async -> [Result<Outcome, any Error>] {
        let order = items.indices.sorted { (items[$0].message.id, $0) < (items[$1].message.id, $1) }
        do {
            for item in items { try SpecRejection.check(item.message) }
            let outcomes = try await retryingRaces(specID: nil) { tx, lockAll in
                var outcomes = [Outcome?](repeating: nil, count: items.count)
                for index in order { outcomes[index] = try await schedule(items[index], in: tx, lockAll: lockAll) }
                return outcomes.map { $0! }
            }
            return outcomes.map { .success($0) }
        } catch {
            guard items.count > 1 else { return [.failure(error)] }
            logger.debug("a batch of specs failed; scheduling each alone", metadata: ["count": "\(items.count)", "error": "\(error)"])
            var results = [Result<Outcome, any Error>?](repeating: nil, count: items.count)
            for index in order {
                do {
                    results[index] = .success(try await schedule(items[index]))
                } catch {
                    results[index] = .failure(error)
                }
            }
            return results.map { $0! }
        }
    }

    private func schedule(_ item: Item, in tx: StoreTransaction, lockAll: Bool) async throws -> Outcome {
        guard try await tx.markProcessed(consumer: settings.consumerName, messageID: item.messageID) else {
            return .duplicate
        }
        if case .string(let text)? = item.message.annotations?[Annotations.drainingHost] {
            guard let host = ObjectID(text) else { throw SpecRejection("\(Annotations.drainingHost) '\(text)' is not a host id") }
            return try await move(item, off: host, in: tx, lockAll: lockAll)
        }
        return try await run(tx, message: item.message, messageID: item.messageID, trace: item.trace, lockAll: lockAll, deferral: nil)
    }

    /// Tries a deferred `Spec` again; nil when another replica has it in hand or it is gone.
    func retry(deferred messageID: UUID) async throws -> Outcome? {
        try await retryingRaces(specID: nil) { tx, lockAll -> Outcome? in
            guard let deferral = try await tx.lockDeferredSpec(messageID) else { return nil }
            let message = try MessageCodec.decodeWire(SpecMessage.self, from: deferral.message)
            let trace = deferral.traceparent.flatMap { try? TraceContext(traceParentHeaderValue: $0) }
            return try await run(tx, message: message, messageID: messageID, trace: trace, lockAll: lockAll, deferral: deferral)
        }
    }

    private func retryingRaces<Result: Sendable>(
        specID: Int64?, _ body: @escaping @Sendable (StoreTransaction, _ lockAll: Bool) async throws -> Result
    ) async throws -> Result {
        var attempt = 0
        while true {
            attempt += 1
            let lockAll = attempt > 1
            do {
                return try await store.withTransaction { tx in try await body(tx, lockAll) }
            } catch let error as StaleSnapshot where attempt < Self.attempts {
                registry.forget()
                logger.debug("snapshot went stale, placing again", metadata: [
                    "spec_id": "\(specID.map(String.init) ?? "-")", "attempt": "\(attempt)", "why": "\(error)",
                ])
            } catch StoreError.retryable(let why) where attempt < Self.attempts {
                logger.debug("transaction must be retried", metadata: ["spec_id": "\(specID.map(String.init) ?? "-")", "why": "\(why)"])
                try await Task.sleep(for: .milliseconds(Int.random(in: 5...50)))
            }
        }
    }

    func run(
        _ tx: StoreTransaction, message original: SpecMessage, messageID: UUID, trace: TraceContext?, lockAll: Bool,
        deferral: DeferredSpec?, move: DrainMove? = nil
    ) async throws -> Outcome {
        guard let latest = try await tx.lockSpec(original.id) else {
            throw SpecRejection("spec \(original.id) does not exist")
        }
        let version = original.version ?? latest
        guard try await tx.specVersion(original.id, version: version) != nil else {
            throw SpecRejection("spec \(original.id) has no version \(version)")
        }
        // Objects a later version has taken over are that version's to place.
        let rounds = try await tx.placements(original.spec.compactMap(\.id?.uuid))
        var message = original
        message.spec = original.spec.filter { object in
            guard let id = object.id, let round = rounds[id.uuid] else { return true }
            return round.version <= version
        }
        guard !message.spec.isEmpty else {
            if deferral != nil { try await tx.removeDeferredSpec(messageID) }
            return .superseded(version: version)
        }
        let objectIDs = message.spec.compactMap(\.id)
        let constraints: SchedulingConstraints
        do {
            constraints = try SchedulingConstraints(annotations: message.annotations)
        } catch {
            let reason = error.description
            let failure = PlacementFailure(every: objectIDs, reason)
            try await recordFailure(tx, message: message, version: version, failure, deferral: deferral)
            return .failed(version: version, reason: reason)
        }

        var (context, request, snapshot, query, kept) = try await placementInput(
            tx, message: message, constraints: constraints, lock: lockAll, cached: !lockAll)
        let holders = try await volumeHolders(tx, message: message, constraints: constraints, move: move)
        let holding = Set(context.current.values.joined())
        func restricted(_ snapshot: PlacementSnapshot) -> PlacementSnapshot {
            guard !holders.isEmpty else { return snapshot }
            // A volume moves only to a volumer that can fetch it, which announces an export too.
            var restricted = snapshot
            restricted.agents = snapshot.agents.filter {
                $0.value.type != .agentVolumerFile || $0.value.exportURL != nil || holding.contains($0.key)
            }
            return restricted
        }
        snapshot = restricted(snapshot)
        var placement = Placement.place(request, in: snapshot)
        if kept, placement.needsAFreshLook(among: snapshot.agents) {
            // Decided on a kept snapshot: an agent may have come back or registered since.
            registry.forget()
            snapshot = restricted(PlacementSnapshot(agents: try await registeredAgents(tx, try await tx.agents(query))))
            placement = Placement.place(request, in: snapshot)
        }
        let agents = snapshot.agents
        switch placement {
        case .failure(let failure):
            if let move {
                return try await pin(tx, specID: message.id, version: version, objects: message.spec, host: move.host,
                                     reason: "no other host can take it now: \(failure.summary)")
            }
            switch try await outlook(tx, request, failure: failure, query: query) {
            case .impossible(let failure):
                try await recordFailure(tx, message: message, version: version, failure, deferral: deferral)
                return .failed(version: version, reason: failure.summary)
            case .waitForRoom(let failure):
                return try await wait(tx, message: message, messageID: messageID, version: version, failure,
                                      trace: trace, deferral: deferral)
            }
        case .success(let plan):
            // A Request to an agent that is not alive would only wait in its queue while the
            // conductor's deadlines run out; the spec waits for the agent instead (an object
            // stays where it is, a removal can only be done there).
            if let absent = plan.absentAgents(among: agents) {
                if let move {
                    return try await pin(tx, specID: message.id, version: version, objects: message.spec, host: move.host,
                                         reason: "an agent it needs is not alive: \(absent.summary)")
                }
                return try await wait(tx, message: message, messageID: messageID, version: version, absent,
                                      trace: trace, deferral: deferral, waitingFor: "waiting for its agent")
            }
            try await verify(tx, plan)
            let requests = try await record(
                tx, plan: plan, message: message, version: version, context: context, agents: agents,
                rounds: rounds, trace: trace, holders: holders)
            if deferral != nil { try await tx.removeDeferredSpec(messageID) }
            return move == nil ? .scheduled(version: version, requests: requests) : .moved(version: version, requests: requests)
        }
    }

    /// No room yet: keeps the message to try again (or fails it once it has waited
    /// ``SchedulerSettings/placementDeadline``), with a `WAITING` event per object whenever the
    /// reason changes.
    private func wait(
        _ tx: StoreTransaction, message: SpecMessage, messageID: UUID, version: Int, _ failure: PlacementFailure,
        trace: TraceContext?, deferral: DeferredSpec?, waitingFor: String = "waiting for room"
    ) async throws -> Outcome {
        let reason = "\(waitingFor): \(failure.summary)"
        if let deferral {
            let waited = try await tx.databaseNow().timeIntervalSince(deferral.deferredAt)
            if waited > settings.placementDeadlineSeconds {
                let waitedText = "could not be placed within \(Int(settings.placementDeadlineSeconds)) s"
                let expired = PlacementFailure(
                    reasons: failure.reasons.mapValues { "\(waitedText): \($0)" }, summary: "\(waitedText): \(failure.summary)")
                try await recordFailure(tx, message: message, version: version, expired, deferral: deferral)
                return .failed(version: version, reason: expired.summary)
            }
        }
        let objectIDs = message.spec.compactMap(\.id)
        if deferral?.reason != reason {
            try await tx.appendEvents(objectIDs.map { id in
                Event(specID: message.id, version: version, objectID: id.uuid, kind: .waiting,
                      message: "\(waitingFor): \(failure.reasons[id] ?? failure.summary)")
            })
        }
        try await tx.setPlacementPhase(.waiting, objectIDs: objectIDs.map(\.uuid))
        let attempts = (deferral?.attempts ?? -1) + 1
        try await tx.deferSpec(
            DeferredSpec(messageID: messageID, specID: message.id, version: version,
                         message: MessageCodec.encode(message, format: .json), traceparent: trace?.traceParentHeaderValue,
                         reason: reason),
            retryAfterSeconds: settings.deferredRetryDelay(afterAttempts: attempts))
        return .waiting(version: version, reason: failure.summary)
    }

    /// What placement decides on: the graph around the message, its objects' claims, and the
    /// agents that could take them as a placement snapshot (locked, in id order, when `lock`;
    /// else kept from an earlier spec when `cached`), with their claim totals as they are in
    /// `tx`; `kept` says whether the snapshot was kept.
    func placementInput(
        _ tx: StoreTransaction, message: SpecMessage, constraints: SchedulingConstraints, lock: Bool, cached: Bool = false
    ) async throws -> (
        context: SpecContext, request: PlacementRequest, snapshot: PlacementSnapshot, query: StoreTransaction.AgentQuery,
        kept: Bool
    ) {
        let context = try await SpecContext.load(tx, message: message, logger: logger)
        var claims: [ObjectID: ObjectClaim] = [:]
        for claim in try await tx.claims(objectIDs: message.spec.compactMap(\.id?.uuid)) {
            claims[ObjectID(claim.objectID)] = ObjectClaim(claim)
        }
        let types = Set(message.spec.filter { !$0.isBeingRemoved }.compactMap { $0.type?.servingAgent })
        let query = StoreTransaction.AgentQuery(
            types: types.map(\.rawValue).sorted(),
            hostID: constraints.hostID?.description,
            only: settings.onlyAgents.map { $0.map(\.uuid) },
            including: Set(context.current.values.joined()).map(\.uuid),
            aliveWithinSeconds: settings.agentTimeoutSeconds)
        let (snapshot, kept) = try await candidates(tx, query, lock: lock, cached: cached)
        let request = PlacementRequest(
            specID: message.id, objects: message.spec, related: context.related, siblings: context.siblings,
            current: context.current, claims: claims, dhcpServers: context.dhcpServers,
            networkPorts: context.networkPorts, constraints: constraints)
        return (context, request, snapshot, query, kept)
    }

    /// Whether a request that does not fit now could once dead agents are back or capacity frees.
    func outlook(
        _ tx: StoreTransaction, _ request: PlacementRequest, failure: PlacementFailure, query: StoreTransaction.AgentQuery
    ) async throws -> PlacementOutlook {
        var query = query
        query.includeDead = true
        query.includeDraining = true
        let everyAgent = try await registeredAgents(tx, try await tx.agents(query))
        return PlacementOutlook.judge(request, failure: failure, everyAgent: everyAgent)
    }

    /// The registry rows as placement sees them, with their claims; rows that do not describe
    /// an agent with a host are skipped, so one bad registration does not stop scheduling.
    func registeredAgents(_ tx: StoreTransaction, _ registrations: [AgentRegistration]) async throws -> [RegisteredAgent] {
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
        agents agentsByID: [ObjectID: RegisteredAgent], rounds: [UUID: PlacementRecord], trace: TraceContext?,
        holders: [ObjectID: DrainMove.VolumeHolder] = [:]
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
        for (network, server) in plan.dhcpServers.sorted(by: { $0.key < $1.key }) where context.dhcpServers[network] != server {
            try await tx.deleteEdges(from: network.uuid, relation: Relation.networkDHCPServer)
            let property = MessageCodec.encodeString(DependencyProperty(relation: Relation.networkDHCPServer), format: .json)
            edges.append(GraphEdge(source: network.uuid, target: server.uuid, relation: Relation.networkDHCPServer,
                                   properties: property, specID: context.nodes[network]?.specID ?? message.id))
        }
        try await tx.upsertEdges(edges)

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

        // Each object of the message that gets a Request starts its next attempt; objects of
        // other specs that get one (a network gaining a porter) keep theirs.
        let messageObjects = Set(message.spec.compactMap(\.id))
        var attempts: [ObjectID: Int] = [:]
        for id in plan.scheduledObjects where messageObjects.contains(id) {
            attempts[id] = (rounds[id.uuid]?.attempt ?? 0) + 1
        }
        let foreignRounds = try await tx.placements(
            plan.assignments.map(\.objectID).filter { !messageObjects.contains($0) }.map(\.uuid))
        func attempt(of id: ObjectID) -> Int? {
            attempts[id] ?? foreignRounds[id.uuid]?.attempt
        }

        var placements = context.current
        for (id, placed) in plan.placements { placements[id] = placed }
        let agentObjects = agentsByID.mapValues(\.object)
        var dhcpServers = context.dhcpServers
        for (network, server) in plan.dhcpServers { dhcpServers[network] = server }
        let builder = RequestBuilder(specID: message.id, objects: objects, placements: placements,
                                     agents: agentObjects, specMembers: context.specMembers, dhcpServers: dhcpServers)
        let moved = message.annotations?[Annotations.rescheduling] == nil ? nil : MovedFields(
            current: context.current, placements: placements,
            hosts: agentsByID.mapValues(\.hostID))
        var outbox = plan.assignments.compactMap { assignment -> OutboxMessage? in
            guard var request = builder.request(for: assignment.objectID, to: assignment.agentID) else { return nil }
            if let moved { request = moved.clearing(request, to: assignment.agentID) }
            request.attempt = attempt(of: assignment.objectID)
            // A volume leaving the agent that holds its data is made as a copy of it.
            if let holder = holders[assignment.objectID], holder.agentID != assignment.agentID, !request.object.isBeingRemoved {
                request.copyFrom = holder.source(of: assignment.objectID)
            }
            return OutboxMessage(AgentClient.request(request, to: assignment.agentID, trace: trace?.nextHop()))
        }
        // Back on the agent that holds its data (a drain ended): that copy is the volume again.
        for (id, holder) in holders where plan.placements[id]?.contains(holder.agentID) == true {
            try await tx.dropDeferredRemoval(objectID: id.uuid, agentID: holder.agentID.uuid)
        }
        var deferred: [DeferredRemoval] = []
        // An object moved off an agent (rescheduled away from it): that agent removes whatever the
        // abandoned attempt made there, when it next reads its queue. Fenced by the new attempt.
        for (id, placed) in plan.placements.sorted(by: { $0.key < $1.key }) {
            guard let object = objects[id], !object.isBeingRemoved else { continue }
            for abandoned in (context.current[id] ?? []) where !placed.contains(abandoned) {
                guard var request = builder.request(for: id, to: abandoned) else { continue }
                request.object.desiredState = "deleted"
                request.dependedBy = []
                request.attempt = attempt(of: id)
                let removal = OutboxMessage(AgentClient.request(request, to: abandoned, trace: trace?.nextHop()))
                // The agent holding a moving volume's data removes it only once the copy is applied.
                if holders[id]?.agentID == abandoned, let attempt = request.attempt {
                    deferred.append(DeferredRemoval(objectID: id.uuid, agentID: abandoned.uuid, attempt: attempt,
                                                    specID: message.id, message: removal))
                    events.append(Event(specID: message.id, version: version, objectID: id.uuid, kind: .abandoned,
                                        message: "moving off agent \(abandoned) as a copy; that agent removes it once the "
                                            + "copy is applied"))
                    continue
                }
                outbox.append(removal)
                let why = object.type == .networkVLAN && message.annotations?[Annotations.rescheduling] == nil
                    ? "left agent \(abandoned): no NIC of it remains on that host; it is asked to remove its part there"
                    : "moved off agent \(abandoned); it is asked to remove what the abandoned attempt made"
                events.append(Event(specID: message.id, version: version, objectID: id.uuid, kind: .abandoned, message: why))
            }
        }
        try await tx.appendEvents(events.filter { $0.kind == .abandoned })
        try await tx.enqueueOutbox(outbox)
        try await tx.deferRemovals(deferred)
        try await tx.setPlacementPhase(.scheduled, objectIDs: attempts.keys.map(\.uuid),
                                       attempt: Dictionary(uniqueKeysWithValues: attempts.map { ($0.key.uuid, $0.value) }))
        try await tx.setPlacementPhase(.applied, objectIDs: plan.nothingToDo.filter { messageObjects.contains($0) }.map(\.uuid))
        if plan.assignments.isEmpty, try await tx.specVersion(message.id, version: version)?.state == .pending {
            try await tx.setState(.applied, specID: message.id, version: version)
            try await tx.appendEvents([Event(specID: message.id, version: version, kind: .applied,
                                             message: "version \(version) applied: every object already is as it asks")])
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

    /// No placement: every object gets a `FAILED` event with its reason, the version fails with
    /// one of its own.
    private func recordFailure(
        _ tx: StoreTransaction, message: SpecMessage, version: Int, _ failure: PlacementFailure, deferral: DeferredSpec?
    ) async throws {
        if let deferral { try await tx.removeDeferredSpec(deferral.messageID) }
        try await tx.setPlacementPhase(.failed, objectIDs: message.spec.compactMap(\.id?.uuid))
        var events = message.spec.compactMap { object -> Event? in
            guard let id = object.id else { return nil }
            return Event(specID: message.id, version: version, objectID: id.uuid, kind: .failed,
                         message: failure.reasons[id] ?? failure.summary)
        }
        if try await tx.specVersion(message.id, version: version)?.state == .pending {
            let reason = "scheduling failed: \(failure.summary)"
            try await tx.setState(.failed, specID: message.id, version: version, reason: reason)
            // The version's own event, as the conductor writes one for the failures it decides.
            events.append(Event(specID: message.id, version: version, kind: .failed, message: "version \(version) failed: \(reason)"))
        }
        try await tx.appendEvents(events)
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
            claimed: Resources(claimed),
            addresses: description.addresses, exportURL: description.exportURL)
    }
}
