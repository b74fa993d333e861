import Foundation

/// What the conductor judges one result (`Notify`) about an object against, read in one
/// statement (``StoreTransaction/notifiedObject(_:scheduledRelation:)``): its graph node, its
/// round of placement, the agents it is scheduled on and the agents its failed attempts were on.
public struct NotifiedObject: Sendable, Equatable {
    public var node: GraphNode
    public var placement: PlacementRecord?
    /// The targets of its `scheduled` edges, in id order.
    public var scheduledAgents: [UUID]
    /// The agents its recorded failures name, by the version they were for.
    public var failedAgents: [Int: Set<UUID>]

    public init(node: GraphNode, placement: PlacementRecord?, scheduledAgents: [UUID], failedAgents: [Int: Set<UUID>]) {
        self.node = node
        self.placement = placement
        self.scheduledAgents = scheduledAgents
        self.failedAgents = failedAgents
    }
}
