import PostgresNIO

/// How many agents of one type the registry holds in one state (`alived`, `dead`).
public struct AgentCount: Sendable, Equatable {
    public var type: String
    public var state: String
    public var count: Int

    public init(type: String, state: String, count: Int) {
        self.type = type
        self.state = state
        self.count = count
    }
}

extension StoreTransaction {
    /// The registry's agents of `types` (their nodes, by type and desired state), for the
    /// conductor's gauge; types given so the query uses the node type index.
    public func agentCounts(types: [String]) async throws -> [AgentCount] {
        try await run("""
            SELECT type, COALESCE(desired_state, ''), count(*)::bigint FROM nodes
            WHERE type = ANY(\(types)) GROUP BY 1, 2
            """).map { row in
            let (type, state, count) = try row.decode((String, String, Int).self)
            return AgentCount(type: type, state: state, count: count)
        }
    }
}
