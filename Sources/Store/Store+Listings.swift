import Foundation
import PostgresNIO

/// One spec in a list (`GET /api/spec`): its head, when its latest version was stored, and how
/// many of its objects are in each placement phase.
public struct SpecSummary: Sendable, Equatable {
    public var spec: SpecRecord
    /// When the latest version was stored.
    public var updatedAt: Date
    /// Objects of the spec per phase of their round (``PlacementPhase``), phases without objects absent.
    public var phases: [String: Int]
}

/// One agent node with its heartbeat and the capacity its objects claim (`GET /api/agents`).
public struct AgentListing: Sendable, Equatable {
    public var node: GraphNode
    /// The last heartbeat the conductor recorded, nil when none is stored.
    public var lastHeartbeat: Date?
    /// The sums of its claims (zero when it holds none).
    public var claimed: ClaimTotals
}

/// Listings for the operator, each a page ordered on a primary key (or `specs_state`, migration
/// 7) and resumed after the last key of the previous page, so a page costs its own size however
/// many rows the table holds.
extension StoreTransaction {
    /// Specs newest first (by id), those with an id below `before` when it is set, `state` only when set.
    public func specs(state: SpecState?, before: Int64?, limit: Int) async throws -> [SpecSummary] {
        let heads = try await run(Self.specsPageQuery(state: state, before: before, limit: limit)).map { row in
            let (id, createdAt, latest, state, updatedAt) = try row.decode((Int64, Date, Int, String, Date).self)
            return (SpecRecord(id: id, createdAt: createdAt, latestVersion: latest, state: try SpecState(stored: state)), updatedAt)
        }
        guard !heads.isEmpty else { return [] }
        var phases: [Int64: [String: Int]] = [:]
        for row in try await run(Self.placementCountsQuery(heads.map(\.0.id))) {
            let (specID, phase, count) = try row.decode((Int64, String, Int64).self)
            phases[specID, default: [:]][phase] = Int(count)
        }
        return heads.map { SpecSummary(spec: $0.0, updatedAt: $0.1, phases: phases[$0.0.id] ?? [:]) }
    }

    static func specsPageQuery(state: SpecState?, before: Int64?, limit: Int) -> PostgresQuery {
        let state = state?.rawValue
        return """
        SELECT s.id, s.created_at, s.latest_version, s.state, v.created_at
        FROM specs s JOIN spec_versions v ON v.spec_id = s.id AND v.version = s.latest_version
        WHERE (\(state)::text IS NULL OR s.state = \(state)::text) AND s.id < \(before ?? Int64.max)
        ORDER BY s.id DESC LIMIT \(limit)
        """
    }

    static func placementCountsQuery(_ specIDs: [Int64]) -> PostgresQuery {
        "SELECT spec_id, phase, count(*) FROM placements WHERE spec_id = ANY(\(specIDs)) GROUP BY spec_id, phase"
    }

    /// Agent nodes (`agent/…`) in id order, those after `after` when it is set.
    public func agentListings(after: UUID?, limit: Int) async throws -> [AgentListing] {
        try await run(Self.agentsPageQuery(after: after, limit: limit)).map { row in
            let columns = try row.decode((UUID, String, String, Int64?, String?, String?, String, Date, Date?, Int64?, Int64?, Int64?, Int64?).self)
            let node = GraphNode(id: columns.0, type: columns.1, name: columns.2, specID: columns.3, desiredState: columns.4,
                                 observedState: columns.5, object: columns.6, updatedAt: columns.7)
            let claimed = ClaimTotals(vcpus: Int(columns.9 ?? 0), memoryBytes: columns.10 ?? 0, diskBytes: columns.11 ?? 0,
                                      count: Int(columns.12 ?? 0))
            return AgentListing(node: node, lastHeartbeat: columns.8, claimed: claimed)
        }
    }

    static func agentsPageQuery(after: UUID?, limit: Int) -> PostgresQuery {
        """
        SELECT n.id, n.type, n.name, n.spec_id, n.desired_state, n.observed_state, n.object, n.updated_at,
               h.last_seen, t.vcpus, t.memory_bytes, t.disk_bytes, t.claims
        FROM nodes n
        LEFT JOIN agent_heartbeats h ON h.agent_id = n.id
        LEFT JOIN agent_claim_totals t ON t.agent_id = n.id
        WHERE n.type LIKE 'agent/%' AND (\(after)::uuid IS NULL OR n.id > \(after)::uuid)
        ORDER BY n.id LIMIT \(limit)
        """
    }

    /// A page of the whole graph: nodes in id order after `after`, and the edges leaving them.
    public func graphPage(after: UUID?, limit: Int) async throws -> Graph {
        let nodes = try await run(Self.nodesPageQuery(after: after, limit: limit)).map(Self.node(from:))
        guard !nodes.isEmpty else { return Graph(nodes: [], edges: []) }
        let edges = try await run(Self.edgesFromQuery(nodes.map(\.id))).map(Self.edge(from:))
        return Graph(sorting: nodes, edges)
    }

    static func nodesPageQuery(after: UUID?, limit: Int) -> PostgresQuery {
        """
        SELECT \(unescaped: nodeColumns) FROM nodes WHERE (\(after)::uuid IS NULL OR id > \(after)::uuid)
        ORDER BY id LIMIT \(limit)
        """
    }

    static func edgesFromQuery(_ sources: [UUID]) -> PostgresQuery {
        "SELECT \(unescaped: edgeColumns) FROM edges WHERE source = ANY(\(sources))"
    }
}

extension Store {
    /// See ``StoreTransaction/specs(state:before:limit:)``.
    public func specs(state: SpecState?, before: Int64?, limit: Int) async throws -> [SpecSummary] {
        try await withTransaction { tx in try await tx.specs(state: state, before: before, limit: limit) }
    }

    /// See ``StoreTransaction/agentListings(after:limit:)``.
    public func agentListings(after: UUID?, limit: Int) async throws -> [AgentListing] {
        try await withConnection { tx in try await tx.agentListings(after: after, limit: limit) }
    }

    /// See ``StoreTransaction/graphPage(after:limit:)``.
    public func graphPage(after: UUID?, limit: Int) async throws -> Graph {
        try await withTransaction { tx in try await tx.graphPage(after: after, limit: limit) }
    }
}
