import Foundation

/// A vertex of the resource graph: an object (VM, volume, NIC, network) or an agent.
///
/// `object` is the whole object as JSON text, as the wire carries it; the other fields are copied
/// out of it so the graph can be queried without parsing documents. `updatedAt` is set by the store.
public struct GraphNode: Sendable, Equatable {
    public var id: UUID
    public var type: String
    public var name: String
    /// The spec that owns the object; nil for agents and for resources outside any spec.
    public var specID: Int64?
    /// The state the user asked for (`running`, `allocated`, `alived`, …).
    public var desiredState: String?
    /// The last state an agent reported (`APPLIED`, a failure, …); nil until one reports.
    public var observedState: String?
    public var object: String
    public var updatedAt: Date?

    public init(
        id: UUID, type: String, name: String, specID: Int64? = nil, desiredState: String? = nil,
        observedState: String? = nil, object: String = "{}", updatedAt: Date? = nil
    ) {
        self.id = id
        self.type = type
        self.name = name
        self.specID = specID
        self.desiredState = desiredState
        self.observedState = observedState
        self.object = object
        self.updatedAt = updatedAt
    }
}

/// A directed, labelled edge: `source` depends on or is placed on `target` through `relation`
/// (`n0stack/n0core/vm/attachments`, `n0stack/n0core/resource/scheduled`, …). `properties` is the
/// dependency's property map as JSON text (for example a volume's boot priority).
public struct GraphEdge: Sendable, Equatable, Hashable {
    public var source: UUID
    public var target: UUID
    public var relation: String
    public var properties: String
    public var specID: Int64?

    public init(source: UUID, target: UUID, relation: String, properties: String = "{}", specID: Int64? = nil) {
        self.source = source
        self.target = target
        self.relation = relation
        self.properties = properties
        self.specID = specID
    }
}

/// A set of nodes and the edges between them, each sorted (nodes by id, edges by source, target,
/// relation) so results are stable.
public struct Graph: Sendable, Equatable {
    public var nodes: [GraphNode]
    public var edges: [GraphEdge]

    public init(nodes: [GraphNode] = [], edges: [GraphEdge] = []) {
        self.nodes = nodes
        self.edges = edges
    }
}

/// Which way ``Store/subgraph(from:depth:direction:)`` follows edges.
public enum EdgeDirection: Sendable {
    /// From source to target: what a node depends on (its volumes, NICs, network, agent).
    case outgoing
    /// From target to source: what depends on a node (the VMs on a volume, the objects on an agent).
    case incoming
    /// Both: the node's whole neighbourhood.
    case both
}
