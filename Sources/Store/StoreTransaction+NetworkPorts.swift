import Foundation
import PostgresNIO

/// A NIC on a network and the agents it is scheduled on: where the network must reach.
public struct NetworkPort: Sendable, Equatable, Hashable {
    public var networkID: UUID
    public var nicID: UUID
    public var agentID: UUID

    public init(networkID: UUID, nicID: UUID, agentID: UUID) {
        self.networkID = networkID
        self.nicID = nicID
        self.agentID = agentID
    }
}

extension StoreTransaction {
    /// Every NIC on `networks` that is not being removed, of any spec, with the
    /// agents it is scheduled on: the hosts each network must keep reaching. Answered from
    /// `edges_target` and the edges' primary key, so its cost follows the networks' NICs, not
    /// the graph's size.
    public func networkPorts(networks: [UUID], portRelation: String, scheduledRelation: String) async throws -> [NetworkPort] {
        guard !networks.isEmpty else { return [] }
        return try await run(Self.networkPortsQuery(networks, portRelation: portRelation, scheduledRelation: scheduledRelation))
            .map { row in
                let (network, nic, agent) = try row.decode((UUID, UUID, UUID).self)
                return NetworkPort(networkID: network, nicID: nic, agentID: agent)
            }
    }

    static func networkPortsQuery(_ networks: [UUID], portRelation: String, scheduledRelation: String) -> PostgresQuery {
        """
        SELECT p.target, p.source, s.target FROM edges p
        JOIN nodes n ON n.id = p.source
        JOIN edges s ON s.source = p.source AND s.relation = \(scheduledRelation)
        WHERE p.target = ANY(\(networks)) AND p.relation = \(portRelation)
          AND COALESCE(n.desired_state, '') NOT IN ('deleted', 'destroyed')
        ORDER BY p.target, p.source, s.target
        """
    }
}
