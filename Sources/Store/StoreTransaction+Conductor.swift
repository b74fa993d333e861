import Foundation
import PostgresNIO

/// What the conductor reads and writes beyond the shared operations: spec locks, agent
/// heartbeats, failed attempts, and the candidates of its periodic sweep. Its tables are
/// `agent_heartbeats` and `conductor_failures` (migration 3).

/// An agent's heartbeat record, with the database's clock at the time it was read (so liveness is
/// judged on one clock, the one that stamped `lastSeen`).
public struct AgentHeartbeat: Sendable, Equatable {
    public var agentID: UUID
    public var intervalSeconds: Int
    public var lastSeen: Date
    public var now: Date

    public init(agentID: UUID, intervalSeconds: Int, lastSeen: Date, now: Date) {
        self.agentID = agentID
        self.intervalSeconds = intervalSeconds
        self.lastSeen = lastSeen
        self.now = now
    }
}

/// One failed attempt to apply an object of a spec version on an agent (nil when no agent was
/// involved, e.g. the scheduler did not place it again in time).
public struct RecordedFailure: Sendable, Equatable {
    public var specID: Int64
    public var version: Int
    public var objectID: UUID
    public var agentID: UUID?
    public var reason: String

    public init(specID: Int64, version: Int, objectID: UUID, agentID: UUID?, reason: String) {
        self.specID = specID
        self.version = version
        self.objectID = objectID
        self.agentID = agentID
        self.reason = reason
    }
}

/// Where an object is scheduled now: its `scheduled` edge's target and that agent's state (nil
/// when the agent has no node).
public struct ScheduledPlacement: Sendable, Equatable {
    public var objectID: UUID
    public var agentID: UUID
    public var agentState: String?

    public init(objectID: UUID, agentID: UUID, agentState: String?) {
        self.objectID = objectID
        self.agentID = agentID
        self.agentState = agentState
    }
}

extension StoreTransaction {
    /// Locks a spec's head row until the transaction ends and returns its latest version; nil
    /// when there is no such spec (or, with `skipLocked`, when someone else holds the lock).
    ///
    /// Everything that decides a spec version's outcome takes this lock first, so two conductor
    /// replicas recording the last two results of one version cannot both miss that it is
    /// complete, and a sweeper never acts on a version a result is being recorded for.
    public func lockSpec(_ specID: Int64, skipLocked: Bool = false) async throws -> Int? {
        let rows = skipLocked
            ? try await run("SELECT latest_version FROM specs WHERE id = \(specID) FOR UPDATE SKIP LOCKED")
            : try await run("SELECT latest_version FROM specs WHERE id = \(specID) FOR UPDATE")
        return try rows.first?.decode(Int.self)
    }

    /// The database's clock (the transaction's start), the clock events and heartbeats are
    /// stamped with.
    public func databaseNow() async throws -> Date {
        try await run("SELECT now()")[0].decode(Date.self)
    }

    /// Where each of `objectIDs` is scheduled now (objects without a `scheduled` edge are left out).
    public func scheduledPlacements(_ objectIDs: [UUID], relation: String) async throws -> [ScheduledPlacement] {
        guard !objectIDs.isEmpty else { return [] }
        return try await run("""
            SELECT e.source, e.target, n.desired_state FROM edges e LEFT JOIN nodes n ON n.id = e.target
            WHERE e.source = ANY(\(objectIDs)) AND e.relation = \(relation)
            ORDER BY e.source, e.target
            """).map { row in
            let (object, agent, state) = try row.decode((UUID, UUID, String?).self)
            return ScheduledPlacement(objectID: object, agentID: agent, agentState: state)
        }
    }

    /// The object a result is about, with its round, where it is scheduled and where it failed
    /// (``NotifiedObject``); nil when there is no such node. One statement instead of four: the
    /// conductor reads this for every `Notify`.
    public func notifiedObject(_ objectID: UUID, scheduledRelation relation: String) async throws -> NotifiedObject? {
        guard let row = try await run(Self.notifiedObjectQuery(objectID, scheduledRelation: relation)).first else { return nil }
        // The node's columns come first, as ``node(from:)`` reads them.
        let node = try Self.node(from: row)
        let columns = row.makeRandomAccess()
        var placement: PlacementRecord?
        if let placementSpec = try columns[8].decode(Int64?.self) {
            placement = PlacementRecord(
                objectID: node.id, specID: placementSpec, version: try columns[9].decode(Int.self),
                attempt: try columns[10].decode(Int.self), phase: PlacementPhase(rawValue: try columns[11].decode(String.self)),
                phaseSince: try columns[12].decode(Date.self))
        }
        let scheduled = try columns[13].decode([UUID].self)
        let failedVersions = try columns[14].decode([Int].self)
        let failedOn = try columns[15].decode([UUID].self)
        var failed: [Int: Set<UUID>] = [:]
        for (version, agent) in zip(failedVersions, failedOn) { failed[version, default: []].insert(agent) }
        return NotifiedObject(node: node, placement: placement, scheduledAgents: scheduled, failedAgents: failed)
    }

    static func notifiedObjectQuery(_ objectID: UUID, scheduledRelation relation: String) -> PostgresQuery {
        """
        SELECT n.id, n.type, n.name, n.spec_id, n.desired_state, n.observed_state, n.object, n.updated_at,
               p.spec_id, p.version, p.attempt, p.phase, p.phase_since,
               ARRAY(SELECT e.target FROM edges e WHERE e.source = n.id AND e.relation = \(relation) ORDER BY e.target),
               ARRAY(SELECT f.version FROM conductor_failures f WHERE f.object_id = n.id AND f.agent_id IS NOT NULL ORDER BY f.id),
               ARRAY(SELECT f.agent_id FROM conductor_failures f WHERE f.object_id = n.id AND f.agent_id IS NOT NULL ORDER BY f.id)
        FROM nodes n LEFT JOIN placements p ON p.object_id = n.id
        WHERE n.id = \(objectID)
        """
    }

    // MARK: - Heartbeats

    /// Records that `agentID` was heard from now and how often it promises to speak.
    public func recordHeartbeat(agentID: UUID, intervalSeconds: Int) async throws {
        try await run("""
            INSERT INTO agent_heartbeats (agent_id, interval_seconds, last_seen) VALUES (\(agentID), \(intervalSeconds), now())
            ON CONFLICT (agent_id) DO UPDATE SET interval_seconds = EXCLUDED.interval_seconds, last_seen = EXCLUDED.last_seen
            """)
    }

    /// Agents whose node says `alived` but that have been silent for at least one interval: the
    /// candidates for being declared dead (the caller decides how many intervals are too many).
    public func silentAgents(limit: Int = 1000) async throws -> [AgentHeartbeat] {
        try await run("""
            SELECT h.agent_id, h.interval_seconds, h.last_seen, now() FROM agent_heartbeats h
            JOIN nodes n ON n.id = h.agent_id
            WHERE n.desired_state = 'alived'
              AND h.last_seen < now() - make_interval(secs => h.interval_seconds::double precision)
            ORDER BY h.agent_id LIMIT \(limit)
            """).map(Self.agentHeartbeat(from:))
    }

    /// One agent's heartbeat record, or nil when it never sent one.
    public func agentHeartbeat(_ agentID: UUID) async throws -> AgentHeartbeat? {
        try await run("""
            SELECT agent_id, interval_seconds, last_seen, now() FROM agent_heartbeats WHERE agent_id = \(agentID)
            """).first.map(Self.agentHeartbeat(from:))
    }

    static func agentHeartbeat(from row: PostgresRow) throws -> AgentHeartbeat {
        let (agent, interval, lastSeen, now) = try row.decode((UUID, Int, Date, Date).self)
        return AgentHeartbeat(agentID: agent, intervalSeconds: interval, lastSeen: lastSeen, now: now)
    }

    // MARK: - Failed attempts

    /// Records one failed attempt.
    public func recordFailure(_ failure: RecordedFailure) async throws {
        try await run("""
            INSERT INTO conductor_failures (spec_id, version, object_id, agent_id, reason)
            VALUES (\(failure.specID), \(failure.version), \(failure.objectID), \(failure.agentID), \(failure.reason))
            """)
    }

    /// The failed attempts of one object in one spec version, oldest first.
    public func failures(objectID: UUID, version: Int) async throws -> [RecordedFailure] {
        try await run("""
            SELECT spec_id, version, object_id, agent_id, reason FROM conductor_failures
            WHERE object_id = \(objectID) AND version = \(version) ORDER BY id
            """).map { row in
            let (specID, version, object, agent, reason) = try row.decode((Int64, Int, UUID, UUID?, String).self)
            return RecordedFailure(specID: specID, version: version, objectID: object, agentID: agent, reason: reason)
        }
    }

    // MARK: - Sweep

    /// Specs with a pending version that may need the sweeper: one of their objects was
    /// scheduled (or sent back for rescheduling) more than `olderThanSeconds` ago, or is scheduled
    /// on a `dead` agent. A coarse filter: the sweeper decides per object from the event log.
    public func sweepCandidates(olderThanSeconds: Double, scheduledRelation: String, limit: Int = 1000) async throws -> [Int64] {
        try await run(Self.sweepCandidatesQuery(olderThanSeconds: olderThanSeconds, scheduledRelation: scheduledRelation,
                                                limit: limit)).map { try $0.decode(Int64.self) }
    }

    static func sweepCandidatesQuery(olderThanSeconds: Double, scheduledRelation: String, limit: Int) -> PostgresQuery {
        """
        WITH pending AS (SELECT DISTINCT spec_id FROM spec_versions WHERE state = 'pending')
        SELECT spec_id FROM (
            SELECT e.spec_id FROM events e
            WHERE e.spec_id IN (SELECT spec_id FROM pending)
              AND e.kind IN ('SCHEDULED', 'RESCHEDULED')
              AND e.created_at < now() - make_interval(secs => \(olderThanSeconds)::double precision)
          UNION
            SELECT o.spec_id FROM nodes a
            JOIN edges s ON s.target = a.id AND s.relation = \(scheduledRelation)
            JOIN nodes o ON o.id = s.source
            WHERE a.type LIKE 'agent/%' AND a.desired_state = 'dead'
              AND o.spec_id IN (SELECT spec_id FROM pending)
        ) candidates
        ORDER BY spec_id LIMIT \(limit)
        """
    }
}
