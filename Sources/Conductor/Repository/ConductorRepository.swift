import Foundation
import Store

/// What the conductor's handlers and sweeper read and write: the narrow part of the store their
/// decisions need, in one transaction at a time. PostgreSQL's ``Store`` implements it; tests
/// use an in-memory one (`InMemoryConductorRepository` in the conductor's tests), so recording results,
/// heartbeats and failures is tested without a database.
public protocol ConductorRepository: Sendable {
    /// Runs `body` in one transaction: all of its writes or none.
    func transaction<Result: Sendable>(_ body: (any ConductorTransaction) async throws -> Result) async throws -> Result
}

/// One transaction of the conductor (see ``StoreTransaction`` for what each call does).
public protocol ConductorTransaction: Sendable {
    // Deduplication of deliveries.
    func markProcessed(consumer: String, messageID: UUID) async throws -> Bool

    // Specs and versions.
    func lockSpec(_ specID: Int64, skipLocked: Bool) async throws -> Int?
    func specVersion(_ specID: Int64, version: Int?) async throws -> SpecVersionRecord?
    func setState(_ state: SpecState, specID: Int64, version: Int, reason: String?) async throws

    // The graph.
    func node(_ id: UUID, forUpdate: Bool) async throws -> GraphNode?
    func upsertNodes(_ nodes: [GraphNode]) async throws
    func scheduledPlacements(_ objectIDs: [UUID], relation: String) async throws -> [ScheduledPlacement]
    func notifiedObject(_ objectID: UUID, scheduledRelation: String) async throws -> NotifiedObject?

    // Rounds of placement.
    func placements(_ objectIDs: [UUID], forUpdate: Bool) async throws -> [UUID: PlacementRecord]
    func setPlacementPhase(_ phase: PlacementPhase, objectIDs: [UUID], attempt: [UUID: Int]) async throws
    @discardableResult
    func extendPlacement(_ objectID: UUID, attempt: Int) async throws -> Bool
    func overduePlacements(
        acceptedSeconds: Double, inFlightSeconds: Double, scheduledRelation: String, limit: Int
    ) async throws -> [PlacementRecord]

    // Events, failed attempts, messages to send.
    func events(specID: Int64, after: Int64?) async throws -> [Event]
    func latestObjectEvents(specID: Int64, kinds: [EventKind]) async throws -> [Event]
    func appendEvents(_ events: [Event]) async throws
    func failures(objectID: UUID, version: Int) async throws -> [RecordedFailure]
    func recordFailure(_ failure: RecordedFailure) async throws
    func enqueueOutbox(_ messages: [OutboxMessage]) async throws
    func takeDeferredRemovals(objectID: UUID, appliedAttempt: Int) async throws -> [DeferredRemoval]

    // Agents' heartbeats.
    func recordHeartbeat(agentID: UUID, intervalSeconds: Int) async throws
    func agentHeartbeat(_ agentID: UUID) async throws -> AgentHeartbeat?
    func silentAgents(limit: Int) async throws -> [AgentHeartbeat]
    func agentCounts(types: [String]) async throws -> [AgentCount]

    /// The clock deadlines are measured with (the database's, shared by every replica).
    func databaseNow() async throws -> Date
}

extension ConductorTransaction {
    func lockSpec(_ specID: Int64) async throws -> Int? { try await lockSpec(specID, skipLocked: false) }
    func specVersion(_ specID: Int64, version: Int) async throws -> SpecVersionRecord? {
        try await specVersion(specID, version: Optional(version))
    }
    func setState(_ state: SpecState, specID: Int64, version: Int) async throws {
        try await setState(state, specID: specID, version: version, reason: nil)
    }
    func node(_ id: UUID) async throws -> GraphNode? { try await node(id, forUpdate: false) }
    func placements(_ objectIDs: [UUID]) async throws -> [UUID: PlacementRecord] {
        try await placements(objectIDs, forUpdate: false)
    }
    func setPlacementPhase(_ phase: PlacementPhase, objectIDs: [UUID]) async throws {
        try await setPlacementPhase(phase, objectIDs: objectIDs, attempt: [:])
    }
    func events(specID: Int64) async throws -> [Event] { try await events(specID: specID, after: nil) }
    func silentAgents() async throws -> [AgentHeartbeat] { try await silentAgents(limit: 1000) }
    func overduePlacements(
        acceptedSeconds: Double, inFlightSeconds: Double, scheduledRelation: String
    ) async throws -> [PlacementRecord] {
        try await overduePlacements(acceptedSeconds: acceptedSeconds, inFlightSeconds: inFlightSeconds,
                                    scheduledRelation: scheduledRelation, limit: 500)
    }
}

extension StoreTransaction: ConductorTransaction {}

extension Store: ConductorRepository {
    public func transaction<Result: Sendable>(
        _ body: (any ConductorTransaction) async throws -> Result
    ) async throws -> Result {
        try await withTransaction { tx in try await body(tx) }
    }
}
