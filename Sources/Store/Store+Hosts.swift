import Foundation
import PostgresNIO

/// A host an operator is draining: it gets no new placements (``StoreTransaction/AgentQuery``).
public struct HostDrain: Sendable, Equatable {
    public var reason: String
    public var since: Date
}

/// One hypervisor as its agents describe it (`GET /api/hosts`): how many agents report it, how
/// many the conductor last recorded alive, how many objects are placed on them, and whether it is draining.
public struct HostListing: Sendable, Equatable {
    public var hostID: UUID
    public var agents: Int
    public var aliveAgents: Int
    public var objects: Int
    public var drain: HostDrain?
}

/// An object placed on one of a host's agents.
public struct PlacedObject: Sendable, Equatable {
    public var node: GraphNode
    public var agentID: UUID
}

extension StoreTransaction {
    /// Every host some agent reports, in id order, with a drain of no longer known host too (its
    /// agents may come back).
    public func hostListings() async throws -> [HostListing] {
        try await hostListings(only: nil)
    }

    /// One host as ``hostListings()`` lists it; nil when no agent reports it and it is not draining.
    public func hostListing(_ hostID: UUID) async throws -> HostListing? {
        try await hostListings(only: hostID).first
    }

    private func hostListings(only hostID: UUID?) async throws -> [HostListing] {
        try await run("""
            WITH agents AS (
                SELECT id, (object->>'host_id')::uuid AS host_id,
                       desired_state = 'alived' AS alive
                FROM nodes WHERE type LIKE 'agent/%' AND object->>'host_id' ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
            ), hosts AS (
                SELECT host_id FROM agents UNION SELECT host_id FROM host_drains
            )
            SELECT h.host_id,
                   (SELECT count(*) FROM agents a WHERE a.host_id = h.host_id),
                   (SELECT count(*) FROM agents a WHERE a.host_id = h.host_id AND a.alive),
                   (SELECT count(*) FROM edges e JOIN agents a ON a.id = e.target
                     WHERE a.host_id = h.host_id AND e.relation = \(Self.scheduledRelation)),
                   d.reason, d.since
            FROM hosts h LEFT JOIN host_drains d ON d.host_id = h.host_id
            WHERE \(hostID)::uuid IS NULL OR h.host_id = \(hostID)
            ORDER BY h.host_id
            """).map { row in
            let (host, agents, alive, objects, reason, since) = try row.decode((UUID, Int64, Int64, Int64, String?, Date?).self)
            let drain = reason.flatMap { reason in since.map { HostDrain(reason: reason, since: $0) } }
            return HostListing(hostID: host, agents: Int(agents), aliveAgents: Int(alive), objects: Int(objects), drain: drain)
        }
    }

    /// The objects placed on the agents of `hostID` (of one spec, or of all), by spec and name.
    public func objectsPlaced(onHost hostID: UUID, specID: Int64? = nil) async throws -> [PlacedObject] {
        try await run("""
            SELECT o.id, o.type, o.name, o.spec_id, o.desired_state, o.observed_state, o.object, o.updated_at, a.id
            FROM nodes a
            JOIN edges e ON e.target = a.id AND e.relation = \(Self.scheduledRelation)
            JOIN nodes o ON o.id = e.source
            WHERE a.type LIKE 'agent/%' AND a.object->>'host_id' = \(hostID.uuidString.lowercased())
              AND (\(specID)::bigint IS NULL OR o.spec_id = \(specID))
            ORDER BY o.spec_id, o.name, o.id
            """).map { row in
            let (id, type, name, specID, desired, observed, object, updatedAt, agentID) =
                try row.decode((UUID, String, String, Int64?, String?, String?, String, Date, UUID).self)
            let node = GraphNode(id: id, type: type, name: name, specID: specID, desiredState: desired,
                                 observedState: observed, object: object, updatedAt: updatedAt)
            return PlacedObject(node: node, agentID: agentID)
        }
    }

    /// The relation of an object to the agent it is placed on (``Messages/Relation/scheduled``;
    /// the store does not link Messages).
    static let scheduledRelation = "n0stack/n0core/resource/scheduled"
}

extension Store {
    /// Marks `hostID` as draining (again: the reason is replaced, `since` kept) and queues, in
    /// the same transaction, what `moves` makes of the specs with objects on the host (in id
    /// order): the scheduler's requests to move them elsewhere.
    @discardableResult
    public func drain(
        hostID: UUID, reason: String, moves: @Sendable ([Int64]) throws -> [OutboxMessage] = { _ in [] }
    ) async throws -> HostDrain {
        try await withTransaction { tx in
            // In spec order already; a drain is an operator's call, so reading the objects is fine.
            var specs: [Int64] = []
            for specID in try await tx.objectsPlaced(onHost: hostID).compactMap(\.node.specID) where specs.last != specID {
                specs.append(specID)
            }
            try await tx.enqueueOutbox(try moves(specs))
            let rows = try await tx.run("""
                INSERT INTO host_drains (host_id, reason) VALUES (\(hostID), \(reason))
                ON CONFLICT (host_id) DO UPDATE SET reason = EXCLUDED.reason
                RETURNING reason, since
                """)
            guard let row = rows.first else { throw StoreError.database(code: nil, message: "host drain returned no row") }
            let (reason, since) = try row.decode((String, Date).self)
            return HostDrain(reason: reason, since: since)
        }
    }

    /// Ends the drain of `hostID`; whether it was draining.
    @discardableResult
    public func undrain(hostID: UUID) async throws -> Bool {
        try await withConnection { tx in
            !(try await tx.run("DELETE FROM host_drains WHERE host_id = \(hostID) RETURNING host_id")).isEmpty
        }
    }

    /// See ``StoreTransaction/hostListings()``.
    public func hostListings() async throws -> [HostListing] {
        try await withTransaction { tx in try await tx.hostListings() }
    }

    /// See ``StoreTransaction/hostListing(_:)``.
    public func hostListing(_ hostID: UUID) async throws -> HostListing? {
        try await withConnection { tx in try await tx.hostListing(hostID) }
    }

    /// See ``StoreTransaction/objectsPlaced(onHost:)``.
    public func objectsPlaced(onHost hostID: UUID) async throws -> [PlacedObject] {
        try await withConnection { tx in try await tx.objectsPlaced(onHost: hostID) }
    }
}
