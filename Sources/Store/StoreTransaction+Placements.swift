import Foundation
import PostgresNIO

extension StoreTransaction {
    /// Starts a new round for objects of a spec version (the API stored a version that changes
    /// them): phase `accepted`, attempt kept.
    public func acceptPlacements(_ objectIDs: [UUID], specID: Int64, version: Int) async throws {
        let ids = Array(Set(objectIDs)).sorted { $0.uuidString < $1.uuidString }
        guard !ids.isEmpty else { return }
        try await run("""
            INSERT INTO placements (object_id, spec_id, version, phase, phase_since)
            SELECT id, \(specID), \(version), 'accepted', now() FROM unnest(\(ids)::uuid[]) AS id
            ON CONFLICT (object_id) DO UPDATE SET
                spec_id = EXCLUDED.spec_id, version = EXCLUDED.version, phase = 'accepted', phase_since = now()
            """)
    }

    /// The placement rows of `objectIDs`; with `forUpdate` they stay locked until the
    /// transaction ends.
    public func placements(_ objectIDs: [UUID], forUpdate: Bool = false) async throws -> [UUID: PlacementRecord] {
        guard !objectIDs.isEmpty else { return [:] }
        let rows = try await run("""
            SELECT object_id, spec_id, version, attempt, phase, phase_since FROM placements
            WHERE object_id = ANY(\(objectIDs)) ORDER BY object_id \(unescaped: forUpdate ? "FOR UPDATE" : "")
            """)
        var result: [UUID: PlacementRecord] = [:]
        for row in rows {
            let record = try Self.placement(from: row)
            result[record.objectID] = record
        }
        return result
    }

    /// Moves objects to `phase` (now), and to `attempt` when given (a new `Request` was sent).
    public func setPlacementPhase(_ phase: PlacementPhase, objectIDs: [UUID], attempt: [UUID: Int] = [:]) async throws {
        guard !objectIDs.isEmpty else { return }
        let ids = objectIDs.sorted { $0.uuidString < $1.uuidString }
        let attempts = ids.map { attempt[$0] ?? -1 }
        try await run("""
            UPDATE placements p SET phase = \(phase.rawValue), phase_since = now(),
                attempt = CASE WHEN u.attempt >= 0 THEN u.attempt ELSE p.attempt END
            FROM unnest(\(ids)::uuid[], \(attempts)::int[]) AS u(id, attempt)
            WHERE p.object_id = u.id
            """)
    }

    /// Records that the object's agent is still at work on attempt `attempt` (a progress
    /// report): the deadline of its `scheduled` phase starts again.
    ///
    /// - Returns: whether the round was still that attempt's.
    @discardableResult
    public func extendPlacement(_ objectID: UUID, attempt: Int) async throws -> Bool {
        try await !run("""
            UPDATE placements SET phase_since = now()
            WHERE object_id = \(objectID) AND attempt = \(attempt) AND phase = 'scheduled'
            RETURNING 1
            """).isEmpty
    }

    /// Objects whose round has gone on too long, oldest first: `accepted` for longer than
    /// `acceptedSeconds` (no scheduler took its `Spec`), `scheduled` or `rescheduling` for longer
    /// than `inFlightSeconds`, and `scheduled` on an agent that is `dead`. Reads the in-flight rows
    /// only, however many objects the cloud holds.
    public func overduePlacements(
        acceptedSeconds: Double, inFlightSeconds: Double, scheduledRelation: String, limit: Int = 500
    ) async throws -> [PlacementRecord] {
        try await run("""
            SELECT object_id, spec_id, version, attempt, phase, phase_since FROM (
                SELECT p.* FROM placements p
                WHERE p.phase IN ('accepted', 'scheduled', 'rescheduling')
                  AND p.phase_since < now() - make_interval(secs => (CASE p.phase WHEN 'accepted'
                        THEN \(acceptedSeconds) ELSE \(inFlightSeconds) END)::double precision)
              UNION
                SELECT p.* FROM placements p
                JOIN edges s ON s.source = p.object_id AND s.relation = \(scheduledRelation)
                JOIN nodes a ON a.id = s.target AND a.desired_state = 'dead'
                WHERE p.phase = 'scheduled'
            ) overdue
            ORDER BY phase_since LIMIT \(limit)
            """).map(Self.placement(from:))
    }

    static func placement(from row: PostgresRow) throws -> PlacementRecord {
        let (objectID, specID, version, attempt, phase, since) =
            try row.decode((UUID, Int64, Int, Int, String, Date).self)
        return PlacementRecord(objectID: objectID, specID: specID, version: version, attempt: attempt,
                               phase: PlacementPhase(rawValue: phase), phaseSince: since)
    }

    // MARK: - Deferred specs

    /// Keeps a `Spec` the scheduler could not place yet, to be tried again from `retryAt`;
    /// a message deferred before keeps its first deferral time and counts one more attempt.
    public func deferSpec(_ spec: DeferredSpec, retryAfterSeconds: Double) async throws {
        try await run("""
            INSERT INTO deferred_specs (message_id, spec_id, version, message, traceparent, reason, next_attempt_at)
            VALUES (\(spec.messageID), \(spec.specID), \(spec.version), \(spec.message), \(spec.traceparent), \(spec.reason),
                    now() + make_interval(secs => \(retryAfterSeconds)::double precision))
            ON CONFLICT (message_id) DO UPDATE SET reason = EXCLUDED.reason, attempts = deferred_specs.attempts + 1,
                next_attempt_at = EXCLUDED.next_attempt_at
            """)
    }

    /// Deferred specs due for another try, the longest due first (take each with
    /// ``lockDeferredSpec(_:)`` before acting on it).
    public func dueDeferredSpecs(limit: Int) async throws -> [DeferredSpec] {
        try await run("""
            SELECT message_id, spec_id, version, message, traceparent, reason, deferred_at, attempts
            FROM deferred_specs WHERE next_attempt_at <= now()
            ORDER BY next_attempt_at LIMIT \(limit)
            """).map(Self.deferredSpec(from:))
    }

    /// The deferral of one message, locked until the transaction ends; nil when there is none
    /// or another transaction holds it (`SKIP LOCKED`).
    public func lockDeferredSpec(_ messageID: UUID) async throws -> DeferredSpec? {
        try await run("""
            SELECT message_id, spec_id, version, message, traceparent, reason, deferred_at, attempts
            FROM deferred_specs WHERE message_id = \(messageID) FOR UPDATE SKIP LOCKED
            """).first.map(Self.deferredSpec(from:))
    }

    static func deferredSpec(from row: PostgresRow) throws -> DeferredSpec {
        let (id, specID, version, message, trace, reason, deferredAt, attempts) =
            try row.decode((UUID, Int64, Int, Data, String?, String, Date, Int).self)
        return DeferredSpec(messageID: id, specID: specID, version: version, message: message, traceparent: trace,
                            reason: reason, deferredAt: deferredAt, attempts: attempts)
    }

    public func removeDeferredSpec(_ messageID: UUID) async throws {
        try await run("DELETE FROM deferred_specs WHERE message_id = \(messageID)")
    }

    /// Marks every pending version of a spec before `version` superseded by it.
    ///
    /// - Returns: the versions superseded.
    @discardableResult
    public func supersedeVersions(specID: Int64, before version: Int) async throws -> [Int] {
        try await run("""
            UPDATE spec_versions SET state = 'superseded', reason = \("superseded by version \(version) before it settled")
            WHERE spec_id = \(specID) AND version < \(version) AND state = 'pending'
            RETURNING version, EXTRACT(EPOCH FROM clock_timestamp() - created_at)::float8
            """).map { row in
                let (superseded, age) = try row.decode((Int, Double).self)
                versionChanges.append(.settled(.superseded, after: .seconds(age)))
                return superseded
            }.sorted()
    }
}
