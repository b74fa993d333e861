import Foundation
import PostgresNIO

extension StoreTransaction {
    /// Inserts nodes or updates them by id, in one statement per 500 nodes.
    ///
    /// An update replaces type, name and object; `specID`, `desiredState` and `observedState` are
    /// kept when the new value is nil, so a service that knows only part of a node (the scheduler
    /// does not know what an agent observed) does not erase the rest. When the same id appears twice
    /// the last one wins. Rows are written in id order, so two transactions touching the same nodes
    /// lock them in the same order and do not deadlock.
    public func upsertNodes(_ nodes: [GraphNode]) async throws {
        try await upsertNodes(nodes, preservingObjectKeys: [])
    }

    /// ``upsertNodes(_:)``, except that the keys `preservingObjectKeys` of a stored node's object
    /// are kept when the new object lacks them: the fields agents fill in (a volume's `url`, a
    /// NIC's `hw_addr`) survive a writer that did not read them, decided in the one statement
    /// that takes the row's lock, so no result recorded meanwhile is lost.
    public func upsertNodes(_ nodes: [GraphNode], preservingObjectKeys keys: [String]) async throws {
        let kept = keys.isEmpty
            ? "EXCLUDED.object"
            : "jsonb_strip_nulls(jsonb_build_object("
                + keys.map { "'\($0)', nodes.object->'\($0)'" }.joined(separator: ", ") + ")) || EXCLUDED.object"
        let unique = Dictionary(nodes.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
            .values.sorted { $0.id.uuidString < $1.id.uuidString }
        for chunk in BatchInsert.chunks(unique) {
            var insert = BatchInsert(casts: ["", "", "", "", "", "", "::jsonb"])
            for node in chunk {
                insert.addRow { binds in
                    binds.append(node.id)
                    binds.append(node.type)
                    binds.append(node.name)
                    binds.append(node.specID)
                    binds.append(node.desiredState)
                    binds.append(node.observedState)
                    binds.append(node.object)
                }
            }
            try await run(insert.query(
                "INSERT INTO nodes (id, type, name, spec_id, desired_state, observed_state, object)",
                """
                ON CONFLICT (id) DO UPDATE SET
                    type = EXCLUDED.type,
                    name = EXCLUDED.name,
                    spec_id = COALESCE(EXCLUDED.spec_id, nodes.spec_id),
                    desired_state = COALESCE(EXCLUDED.desired_state, nodes.desired_state),
                    observed_state = COALESCE(EXCLUDED.observed_state, nodes.observed_state),
                    object = \(kept),
                    updated_at = now()
                """))
        }
    }

    /// Inserts edges or updates their properties (and spec, when given), keyed by source, target and
    /// relation. Written in key order for the same reason as ``upsertNodes(_:)``.
    public func upsertEdges(_ edges: [GraphEdge]) async throws {
        let unique = Dictionary(edges.map { (EdgeKey($0), $0) }, uniquingKeysWith: { _, last in last })
            .sorted { $0.key < $1.key }.map(\.value)
        for chunk in BatchInsert.chunks(unique) {
            var insert = BatchInsert(casts: ["", "", "", "::jsonb", ""])
            for edge in chunk {
                insert.addRow { binds in
                    binds.append(edge.source)
                    binds.append(edge.target)
                    binds.append(edge.relation)
                    binds.append(edge.properties)
                    binds.append(edge.specID)
                }
            }
            try await run(insert.query(
                "INSERT INTO edges (source, target, relation, properties, spec_id)",
                """
                ON CONFLICT (source, target, relation) DO UPDATE SET
                    properties = EXCLUDED.properties,
                    spec_id = COALESCE(EXCLUDED.spec_id, edges.spec_id)
                """))
        }
    }

    /// Removes the edges leaving `source` with `relation` (for example an object's `scheduled`
    /// edge before it is placed on another agent).
    ///
    /// - Returns: how many edges were removed.
    @discardableResult
    public func deleteEdges(from source: UUID, relation: String) async throws -> Int {
        try await run("DELETE FROM edges WHERE source = \(source) AND relation = \(relation) RETURNING 1").count
    }

    /// One node, or nil. With `forUpdate`, the row stays locked until the transaction ends: how a
    /// scheduler claims an agent's capacity without another replica claiming it at the same time.
    public func node(_ id: UUID, forUpdate: Bool = false) async throws -> GraphNode? {
        let rows = forUpdate
            ? try await run("SELECT \(unescaped: Self.nodeColumns) FROM nodes WHERE id = \(id) FOR UPDATE")
            : try await run("SELECT \(unescaped: Self.nodeColumns) FROM nodes WHERE id = \(id)")
        return try rows.first.map(Self.node(from:))
    }

    /// Every node of the given types (for example all `agent/compute/kvm` agents), by id.
    public func nodes(types: [String]) async throws -> [GraphNode] {
        try await run("SELECT \(unescaped: Self.nodeColumns) FROM nodes WHERE type = ANY(\(types)) ORDER BY id")
            .map(Self.node(from:))
    }

    /// A spec's part of the graph: its nodes, the edges it owns or that leave its nodes, and the
    /// nodes at the far end of those edges (so the agents an object is scheduled on come along).
    ///
    /// Each part is its own branch of a `UNION ALL` on one index (`edges_spec_id`, the edges'
    /// primary key by source, `nodes_spec_id`, the nodes' primary key): an `OR` across different
    /// keys makes PostgreSQL scan the whole table, a cost that grows with every spec ever stored.
    public func graph(specID: Int64) async throws -> Graph {
        let edges = try await run(Self.specEdgesQuery(specID)).map(Self.edge(from:))
        let endpoints = Array(Set(edges.flatMap { [$0.source, $0.target] }))
        let nodes = try await run(Self.specNodesQuery(specID, endpoints: endpoints)).map(Self.node(from:))
        return Graph(sorting: nodes, edges)
    }

    static func specEdgesQuery(_ specID: Int64) -> PostgresQuery {
        """
        SELECT \(unescaped: edgeColumns) FROM edges WHERE spec_id = \(specID)
        UNION ALL
        SELECT \(unescaped: edgeColumns) FROM edges
        WHERE source IN (SELECT id FROM nodes WHERE spec_id = \(specID)) AND spec_id IS DISTINCT FROM \(specID)
        """
    }

    static func specNodesQuery(_ specID: Int64, endpoints: [UUID]) -> PostgresQuery {
        """
        SELECT \(unescaped: nodeColumns) FROM nodes WHERE spec_id = \(specID)
        UNION ALL
        SELECT \(unescaped: nodeColumns) FROM nodes WHERE id = ANY(\(endpoints)) AND spec_id IS DISTINCT FROM \(specID)
        """
    }

    /// The nodes within `depth` edges of `start` (the start itself at depth 0) and every edge among
    /// them, following edges in `direction`. Found with one recursive query; a node reachable on
    /// several paths appears once. Empty when `start` is unknown and has no edges.
    public func subgraph(from start: UUID, depth: Int, direction: EdgeDirection = .both) async throws -> Graph {
        let outgoing = direction != .incoming
        let incoming = direction != .outgoing
        let ids = try await run("""
            WITH RECURSIVE reach (id, depth) AS (
                SELECT \(start)::uuid, 0
              UNION
                SELECT CASE WHEN e.source = r.id THEN e.target ELSE e.source END, r.depth + 1
                FROM reach r
                JOIN edges e ON (\(outgoing) AND e.source = r.id) OR (\(incoming) AND e.target = r.id)
                WHERE r.depth < \(depth)
            )
            SELECT DISTINCT id FROM reach
            """).map { try $0.decode(UUID.self) }
        let nodes = try await run("SELECT \(unescaped: Self.nodeColumns) FROM nodes WHERE id = ANY(\(ids))")
            .map(Self.node(from:))
        let edges = try await run("""
            SELECT \(unescaped: Self.edgeColumns) FROM edges WHERE source = ANY(\(ids)) AND target = ANY(\(ids))
            """).map(Self.edge(from:))
        return Graph(sorting: nodes, edges)
    }

    static let nodeColumns = "id, type, name, spec_id, desired_state, observed_state, object, updated_at"
    static let edgeColumns = "source, target, relation, properties, spec_id"

    static func node(from row: PostgresRow) throws -> GraphNode {
        let (id, type, name, specID, desired, observed, object, updatedAt) =
            try row.decode((UUID, String, String, Int64?, String?, String?, String, Date).self)
        return GraphNode(
            id: id, type: type, name: name, specID: specID, desiredState: desired,
            observedState: observed, object: object, updatedAt: updatedAt)
    }

    static func edge(from row: PostgresRow) throws -> GraphEdge {
        let (source, target, relation, properties, specID) =
            try row.decode((UUID, UUID, String, String, Int64?).self)
        return GraphEdge(source: source, target: target, relation: relation, properties: properties, specID: specID)
    }
}

/// An edge's identity, ordered, for deduplicating and ordering a batch.
private struct EdgeKey: Hashable, Comparable {
    let source: String, target: String, relation: String
    init(_ edge: GraphEdge) {
        source = edge.source.uuidString
        target = edge.target.uuidString
        relation = edge.relation
    }
    static func < (a: EdgeKey, b: EdgeKey) -> Bool {
        (a.source, a.target, a.relation) < (b.source, b.target, b.relation)
    }
}

extension Graph {
    init(sorting nodes: [GraphNode], _ edges: [GraphEdge]) {
        self.init(
            nodes: nodes.sorted { $0.id.uuidString < $1.id.uuidString },
            edges: edges.sorted { EdgeKey($0) < EdgeKey($1) })
    }
}

extension Store {
    /// See ``StoreTransaction/upsertNodes(_:)``.
    public func upsertNodes(_ nodes: [GraphNode]) async throws {
        try await withTransaction { tx in try await tx.upsertNodes(nodes) }
    }

    /// See ``StoreTransaction/upsertEdges(_:)``.
    public func upsertEdges(_ edges: [GraphEdge]) async throws {
        try await withTransaction { tx in try await tx.upsertEdges(edges) }
    }

    /// See ``StoreTransaction/node(_:forUpdate:)`` (without a lock: there is no transaction to hold it).
    public func node(_ id: UUID) async throws -> GraphNode? {
        try await withConnection { tx in try await tx.node(id) }
    }

    /// The names of the nodes among `ids` (those that exist), by id: events carry object ids,
    /// their readers want names.
    public func nodeNames(_ ids: [UUID]) async throws -> [UUID: String] {
        guard !ids.isEmpty else { return [:] }
        return try await withConnection { tx in
            try await tx.run("SELECT id, name FROM nodes WHERE id = ANY(\(ids))").reduce(into: [UUID: String]()) { names, row in
                let (id, name) = try row.decode((UUID, String).self)
                names[id] = name
            }
        }
    }

    /// See ``StoreTransaction/nodes(types:)``.
    public func nodes(types: [String]) async throws -> [GraphNode] {
        try await withConnection { tx in try await tx.nodes(types: types) }
    }

    /// See ``StoreTransaction/graph(specID:)``.
    public func graph(specID: Int64) async throws -> Graph {
        try await withConnection { tx in try await tx.graph(specID: specID) }
    }

    /// See ``StoreTransaction/subgraph(from:depth:direction:)``.
    public func subgraph(from start: UUID, depth: Int, direction: EdgeDirection = .both) async throws -> Graph {
        try await withConnection { tx in try await tx.subgraph(from: start, depth: depth, direction: direction) }
    }
}
