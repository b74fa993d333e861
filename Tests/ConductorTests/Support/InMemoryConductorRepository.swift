import Conductor
import Foundation
import Store
import Synchronization
import TestSupport

/// The conductor's repository in memory, for testing its decisions without PostgreSQL.
/// Transactions run one at a time, on a copy of the state that replaces it only when the body
/// returns (a body that throws changes nothing); `now` is a clock the test moves.
final class InMemoryConductorRepository: ConductorRepository {
    struct State: Sendable {
        var now = Date(timeIntervalSince1970: 1_800_000_000)
        var processed: Set<String> = []
        /// Latest version of each spec.
        var specs: [Int64: Int] = [:]
        var versions: [Int64: [Int: SpecVersionRecord]] = [:]
        var nodes: [UUID: GraphNode] = [:]
        /// Object → agents, by their `scheduled` edges.
        var scheduled: [UUID: [UUID]] = [:]
        var placements: [UUID: PlacementRecord] = [:]
        var events: [Event] = []
        var failures: [RecordedFailure] = []
        var outbox: [OutboxMessage] = []
        /// Removals held back until their object is applied again.
        var deferredRemovals: [DeferredRemoval] = []
        var heartbeats: [UUID: (intervalSeconds: Int, lastSeen: Date)] = [:]
    }

    private let state = Mutex(State())
    private let turn = AsyncTurn()

    /// Reads or changes the state outside any transaction (a test's set-up and checks).
    func withState<Result>(_ body: (inout State) throws -> Result) rethrows -> Result {
        try state.withLock { try body(&$0) }
    }

    func transaction<Result: Sendable>(_ body: (any ConductorTransaction) async throws -> Result) async throws -> Result {
        await turn.acquire()
        defer { turn.release() }
        let tx = Transaction(state.withLock { $0 })
        let result = try await body(tx)
        state.withLock { $0 = tx.state.withLock { $0 } }
        return result
    }

    /// One transaction's working copy.
    final class Transaction: ConductorTransaction {
        let state: Mutex<State>
        init(_ state: State) { self.state = Mutex(state) }

        func markProcessed(consumer: String, messageID: UUID) async throws -> Bool {
            state.withLock { $0.processed.insert("\(consumer)/\(messageID)").inserted }
        }

        func lockSpec(_ specID: Int64, skipLocked: Bool) async throws -> Int? {
            state.withLock { $0.specs[specID] }
        }

        func specVersion(_ specID: Int64, version: Int?) async throws -> SpecVersionRecord? {
            state.withLock { state in
                guard let version = version ?? state.specs[specID] else { return nil }
                return state.versions[specID]?[version]
            }
        }

        func setState(_ new: SpecState, specID: Int64, version: Int, reason: String?) async throws {
            try state.withLock { state in
                guard var record = state.versions[specID]?[version] else {
                    throw StoreError.notFound("spec \(specID) version \(version)")
                }
                record.state = new
                record.reason = reason
                state.versions[specID]?[version] = record
            }
        }

        func node(_ id: UUID, forUpdate: Bool) async throws -> GraphNode? {
            state.withLock { $0.nodes[id] }
        }

        func upsertNodes(_ nodes: [GraphNode]) async throws {
            state.withLock { state in
                for node in nodes {
                    var merged = node
                    if let old = state.nodes[node.id] {
                        merged.specID = node.specID ?? old.specID
                        merged.desiredState = node.desiredState ?? old.desiredState
                        merged.observedState = node.observedState ?? old.observedState
                    }
                    merged.updatedAt = state.now
                    state.nodes[node.id] = merged
                }
            }
        }

        func scheduledPlacements(_ objectIDs: [UUID], relation: String) async throws -> [ScheduledPlacement] {
            state.withLock { state in
                objectIDs.flatMap { object in
                    (state.scheduled[object] ?? []).map {
                        ScheduledPlacement(objectID: object, agentID: $0, agentState: state.nodes[$0]?.desiredState)
                    }
                }
            }
        }

        func notifiedObject(_ objectID: UUID, scheduledRelation: String) async throws -> NotifiedObject? {
            state.withLock { state in
                guard let node = state.nodes[objectID] else { return nil }
                var failed: [Int: Set<UUID>] = [:]
                for failure in state.failures where failure.objectID == objectID {
                    if let agent = failure.agentID { failed[failure.version, default: []].insert(agent) }
                }
                return NotifiedObject(node: node, placement: state.placements[objectID],
                                      scheduledAgents: (state.scheduled[objectID] ?? []).sorted { $0.uuidString < $1.uuidString },
                                      failedAgents: failed)
            }
        }

        func placements(_ objectIDs: [UUID], forUpdate: Bool) async throws -> [UUID: PlacementRecord] {
            state.withLock { state in state.placements.filter { objectIDs.contains($0.key) } }
        }

        func setPlacementPhase(_ phase: PlacementPhase, objectIDs: [UUID], attempt: [UUID: Int]) async throws {
            state.withLock { state in
                for id in objectIDs {
                    guard var round = state.placements[id] else { continue }
                    round.phase = phase
                    round.phaseSince = state.now
                    if let attempt = attempt[id] { round.attempt = attempt }
                    state.placements[id] = round
                }
            }
        }

        func extendPlacement(_ objectID: UUID, attempt: Int) async throws -> Bool {
            state.withLock { state in
                guard var round = state.placements[objectID], round.attempt == attempt, round.phase == .scheduled else {
                    return false
                }
                round.phaseSince = state.now
                state.placements[objectID] = round
                return true
            }
        }

        func overduePlacements(
            acceptedSeconds: Double, inFlightSeconds: Double, scheduledRelation: String, limit: Int
        ) async throws -> [PlacementRecord] {
            state.withLock { state in
                let overdue = state.placements.values.filter { round in
                    guard PlacementPhase.inFlight.contains(round.phase) else { return false }
                    let limit = round.phase == .accepted ? acceptedSeconds : inFlightSeconds
                    if state.now.timeIntervalSince(round.phaseSince) > limit { return true }
                    return round.phase == .scheduled
                        && (state.scheduled[round.objectID] ?? []).contains { state.nodes[$0]?.desiredState == "dead" }
                }
                return Array(overdue.sorted { $0.phaseSince < $1.phaseSince }.prefix(limit))
            }
        }

        func events(specID: Int64, after: Int64?) async throws -> [Event] {
            state.withLock { state in
                state.events.filter { $0.specID == specID && ($0.id ?? 0) > (after ?? 0) }
            }
        }

        func latestObjectEvents(specID: Int64, kinds: [EventKind]) async throws -> [Event] {
            let events = try await events(specID: specID, after: nil)
            return EventLog.latestPerObject(events, kinds: kinds)
        }

        func appendEvents(_ events: [Event]) async throws {
            state.withLock { state in
                for var event in events {
                    event.id = Int64(state.events.count + 1)
                    event.createdAt = state.now
                    state.events.append(event)
                }
            }
        }

        func failures(objectID: UUID, version: Int) async throws -> [RecordedFailure] {
            state.withLock { state in state.failures.filter { $0.objectID == objectID && $0.version == version } }
        }

        func recordFailure(_ failure: RecordedFailure) async throws {
            state.withLock { $0.failures.append(failure) }
        }

        func enqueueOutbox(_ messages: [OutboxMessage]) async throws {
            state.withLock { $0.outbox += messages }
        }

        func takeDeferredRemovals(objectID: UUID, appliedAttempt: Int) async throws -> [DeferredRemoval] {
            state.withLock { state in
                let taken = state.deferredRemovals.filter { $0.objectID == objectID && $0.attempt <= appliedAttempt }
                state.deferredRemovals.removeAll { $0.objectID == objectID && $0.attempt <= appliedAttempt }
                return taken
            }
        }

        func recordHeartbeat(agentID: UUID, intervalSeconds: Int) async throws {
            state.withLock { $0.heartbeats[agentID] = (intervalSeconds, $0.now) }
        }

        func agentHeartbeat(_ agentID: UUID) async throws -> AgentHeartbeat? {
            state.withLock { state in
                state.heartbeats[agentID].map {
                    AgentHeartbeat(agentID: agentID, intervalSeconds: $0.intervalSeconds, lastSeen: $0.lastSeen, now: state.now)
                }
            }
        }

        func silentAgents(limit: Int) async throws -> [AgentHeartbeat] {
            state.withLock { state in
                let silent = state.heartbeats.filter { agent, heartbeat in
                    state.nodes[agent]?.desiredState == "alived"
                        && heartbeat.lastSeen < state.now.addingTimeInterval(-Double(heartbeat.intervalSeconds))
                }
                return silent.keys.sorted { $0.uuidString < $1.uuidString }.prefix(limit).map { agent in
                    let heartbeat = silent[agent]!
                    return AgentHeartbeat(agentID: agent, intervalSeconds: heartbeat.intervalSeconds,
                                          lastSeen: heartbeat.lastSeen, now: state.now)
                }
            }
        }

        func agentCounts(types: [String]) async throws -> [AgentCount] {
            state.withLock { state in
                let agents = state.nodes.values.filter { types.contains($0.type) }
                return Dictionary(grouping: agents) { [$0.type, $0.desiredState ?? ""] }.map { key, nodes in
                    AgentCount(type: key[0], state: key[1], count: nodes.count)
                }
            }
        }

        func databaseNow() async throws -> Date {
            state.withLock { $0.now }
        }
    }
}

/// One holder at a time, in arrival order, without blocking a thread.
private final class AsyncTurn: Sendable {
    private struct Queue {
        var held = false
        var waiting: [CheckedContinuation<Void, Never>] = []
    }

    private let queue = Mutex(Queue())

    func acquire() async {
        await withCheckedContinuation { continuation in
            let now = queue.withLock { queue in
                if queue.held {
                    queue.waiting.append(continuation)
                    return false
                }
                queue.held = true
                return true
            }
            if now { continuation.resume() }
        }
    }

    func release() {
        let next = queue.withLock { queue -> CheckedContinuation<Void, Never>? in
            if queue.waiting.isEmpty {
                queue.held = false
                return nil
            }
            return queue.waiting.removeFirst()
        }
        next?.resume()
    }
}
