import Foundation
import PostgresNIO

/// What the scheduler has promised one agent for one object (a VM's vcpus and memory, a
/// volume's disk). An object holds at most one claim; an agent's free capacity is what it
/// reports minus the sum of its claims.
public struct Claim: Sendable, Equatable, Hashable {
    public var objectID: UUID
    public var agentID: UUID
    public var specID: Int64?
    public var vcpus: Int
    public var memoryBytes: Int64
    public var diskBytes: Int64

    public init(objectID: UUID, agentID: UUID, specID: Int64?, vcpus: Int = 0, memoryBytes: Int64 = 0, diskBytes: Int64 = 0) {
        self.objectID = objectID
        self.agentID = agentID
        self.specID = specID
        self.vcpus = vcpus
        self.memoryBytes = memoryBytes
        self.diskBytes = diskBytes
    }
}

/// The sum of an agent's claims.
public struct ClaimTotals: Sendable, Equatable, Hashable {
    public var vcpus: Int
    public var memoryBytes: Int64
    public var diskBytes: Int64
    public var count: Int

    public init(vcpus: Int = 0, memoryBytes: Int64 = 0, diskBytes: Int64 = 0, count: Int = 0) {
        self.vcpus = vcpus
        self.memoryBytes = memoryBytes
        self.diskBytes = diskBytes
        self.count = count
    }
}

/// An agent's registry node (written by the conductor from heartbeats) and whether it is alive
/// now: its state is `alived` and its last heartbeat is recent, judged by the database's clock
/// so that the clocks of the scheduler's and the conductor's machines do not matter.
public struct AgentRegistration: Sendable, Equatable {
    public var node: GraphNode
    public var alive: Bool

    public init(node: GraphNode, alive: Bool) {
        self.node = node
        self.alive = alive
    }
}

/// The scheduler's queries: the agent registry, capacity claims and MAC addresses.
extension StoreTransaction {
    /// Which agents a scheduling decision looks at.
    public struct AgentQuery: Sendable {
        /// Agent types to consider for new placements (`agent/compute/kvm`, …).
        public var types: [String]
        /// Only agents on this host, when a spec is pinned to one.
        public var hostID: String?
        /// Only these agents, when set (a scheduler confined to part of a cluster).
        public var only: [UUID]?
        /// Agents to return whatever their type, host or state: those objects are already on.
        public var including: [UUID]
        /// An agent is alive when its last heartbeat is at most this old.
        public var aliveWithinSeconds: Int
        /// Select dead agents too (every registered agent of the types; whether a spec could
        /// ever fit).
        public var includeDead: Bool
        /// Select agents of draining hosts too (``Store/drain(hostID:reason:)``): not for new
        /// placements, but whether a spec could fit once the drain ends.
        public var includeDraining: Bool

        public init(types: [String], hostID: String? = nil, only: [UUID]? = nil, including: [UUID] = [], aliveWithinSeconds: Int,
                    includeDead: Bool = false, includeDraining: Bool = false) {
            self.types = types
            self.hostID = hostID
            self.only = only
            self.including = including
            self.aliveWithinSeconds = aliveWithinSeconds
            self.includeDead = includeDead
            self.includeDraining = includeDraining
        }
    }

    /// The alive agents `query` selects, plus the agents it names in `including` (alive or not),
    /// in id order. With `lock`, every returned row stays locked until the transaction ends;
    /// rows are locked in id order, so transactions that lock agents this way cannot deadlock
    /// with each other.
    public func agents(_ query: AgentQuery, lock: Bool = false) async throws -> [AgentRegistration] {
        let rows = try await run(Self.agentsQuery(query, lock: lock))
        return try rows.map(Self.agentRegistration(from:))
    }

    static func agentsQuery(_ query: AgentQuery, lock: Bool) -> PostgresQuery {
        let seconds = query.aliveWithinSeconds
        return """
        SELECT \(unescaped: Self.nodeColumns),
               (desired_state = 'alived' AND updated_at > now() - \(seconds) * interval '1 second') AS alive
        FROM nodes
        WHERE (type LIKE 'agent/%' AND type = ANY(\(query.types))
               AND (\(query.includeDead) OR (desired_state = 'alived' AND updated_at > now() - \(seconds) * interval '1 second'))
               AND (\(query.hostID)::text IS NULL OR object->>'host_id' = \(query.hostID)::text)
               AND (\(query.only)::uuid[] IS NULL OR id = ANY(\(query.only)::uuid[]))
               AND (\(query.includeDraining) OR NOT EXISTS (
                    SELECT 1 FROM host_drains d WHERE d.host_id::text = nodes.object->>'host_id')))
           OR id = ANY(\(query.including))
        ORDER BY id
        \(unescaped: lock ? "FOR UPDATE" : "")
        """
    }

    /// Locks the nodes of `agentIDs` (in id order, see ``agents(_:lock:)``) and returns them as
    /// they are now, with whether each takes new objects: alive, and its host not draining
    /// (a plan made on registry rows read earlier is checked against both).
    public func lockAgents(_ agentIDs: [UUID], aliveWithinSeconds seconds: Int) async throws -> [AgentRegistration] {
        guard !agentIDs.isEmpty else { return [] }
        return try await run("""
            SELECT \(unescaped: Self.nodeColumns),
                   (desired_state = 'alived' AND updated_at > now() - \(seconds) * interval '1 second'
                    AND NOT EXISTS (SELECT 1 FROM host_drains d WHERE d.host_id::text = nodes.object->>'host_id')) AS alive
            FROM nodes WHERE id = ANY(\(agentIDs))
            ORDER BY id
            FOR UPDATE
            """).map(Self.agentRegistration(from:))
    }

    /// The sum of each agent's claims; agents without claims are absent. Read from the totals
    /// the claims' trigger keeps (migration 6): one row per agent, however many claims it holds.
    public func claimTotals(agentIDs: [UUID]) async throws -> [UUID: ClaimTotals] {
        guard !agentIDs.isEmpty else { return [:] }
        var result: [UUID: ClaimTotals] = [:]
        for row in try await run(Self.claimTotalsQuery(agentIDs)) {
            let (agent, vcpus, memory, disk, count) = try row.decode((UUID, Int64, Int64, Int64, Int64).self)
            result[agent] = ClaimTotals(vcpus: Int(vcpus), memoryBytes: memory, diskBytes: disk, count: Int(count))
        }
        return result
    }

    static func claimTotalsQuery(_ agentIDs: [UUID]) -> PostgresQuery {
        """
        SELECT agent_id, vcpus, memory_bytes, disk_bytes, claims
        FROM agent_claim_totals WHERE agent_id = ANY(\(agentIDs)) AND claims > 0
        """
    }

    /// The claims these objects hold.
    public func claims(objectIDs: [UUID]) async throws -> [Claim] {
        guard !objectIDs.isEmpty else { return [] }
        return try await run("""
            SELECT object_id, agent_id, spec_id, vcpus, memory_bytes, disk_bytes
            FROM claims WHERE object_id = ANY(\(objectIDs))
            ORDER BY object_id
            """).map { row in
            let (object, agent, spec, vcpus, memory, disk) = try row.decode((UUID, UUID, Int64?, Int, Int64, Int64).self)
            return Claim(objectID: object, agentID: agent, specID: spec, vcpus: vcpus, memoryBytes: memory, diskBytes: disk)
        }
    }

    /// Writes claims, replacing an object's earlier claim (it moved, or its size changed).
    /// Written in object id order, like ``upsertNodes(_:)``.
    public func upsertClaims(_ claims: [Claim]) async throws {
        let unique = Dictionary(claims.map { ($0.objectID, $0) }, uniquingKeysWith: { _, last in last })
            .values.sorted { $0.objectID.uuidString < $1.objectID.uuidString }
        for chunk in BatchInsert.chunks(unique) {
            var insert = BatchInsert(casts: ["", "", "", "", "", ""])
            for claim in chunk {
                insert.addRow { binds in
                    binds.append(claim.objectID)
                    binds.append(claim.agentID)
                    binds.append(claim.specID)
                    binds.append(claim.vcpus)
                    binds.append(claim.memoryBytes)
                    binds.append(claim.diskBytes)
                }
            }
            try await run(insert.query(
                "INSERT INTO claims (object_id, agent_id, spec_id, vcpus, memory_bytes, disk_bytes)",
                """
                ON CONFLICT (object_id) DO UPDATE SET
                    agent_id = EXCLUDED.agent_id,
                    spec_id = COALESCE(EXCLUDED.spec_id, claims.spec_id),
                    vcpus = EXCLUDED.vcpus,
                    memory_bytes = EXCLUDED.memory_bytes,
                    disk_bytes = EXCLUDED.disk_bytes,
                    created_at = CASE WHEN claims.agent_id = EXCLUDED.agent_id THEN claims.created_at ELSE now() END
                """))
        }
    }

    /// Releases the claims of these objects (deleted, or no longer needing capacity).
    ///
    /// - Returns: how many claims were released.
    @discardableResult
    public func deleteClaims(objectIDs: [UUID]) async throws -> Int {
        guard !objectIDs.isEmpty else { return 0 }
        return try await run("DELETE FROM claims WHERE object_id = ANY(\(objectIDs)) RETURNING 1").count
    }

    /// Whether a NIC other than `nic` already has the MAC address `address` (compared without
    /// regard to case).
    public func isHardwareAddressInUse(_ address: String, byOtherThan nic: UUID) async throws -> Bool {
        try await !run("""
            SELECT 1 FROM nodes
            WHERE type = 'resource/nic' AND lower(object->>'hw_addr') = lower(\(address)) AND id <> \(nic)
            LIMIT 1
            """).isEmpty
    }

    static func agentRegistration(from row: PostgresRow) throws -> AgentRegistration {
        let (id, type, name, specID, desired, observed, object, updatedAt, alive) =
            try row.decode((UUID, String, String, Int64?, String?, String?, String, Date, Bool).self)
        return AgentRegistration(
            node: GraphNode(id: id, type: type, name: name, specID: specID, desiredState: desired,
                            observedState: observed, object: object, updatedAt: updatedAt),
            alive: alive)
    }
}
