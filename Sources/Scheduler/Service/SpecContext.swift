import Foundation
import Logging
import Messages
import Store

/// What the resource graph holds around a `Spec` message: the rest of its spec, the resources
/// of other specs it references by id, where everything is scheduled now.
struct SpecContext {
    /// Resource objects the message does not carry, as the graph holds them.
    var related: [ObjectID: Object] = [:]
    /// Every object of the spec: the message's and the graph's.
    var specMembers: Set<ObjectID> = []
    /// The agents each object is scheduled on now.
    var current: [ObjectID: [ObjectID]] = [:]
    /// The porter that serves each network's DHCP, for networks on several hosts.
    var dhcpServers: [ObjectID: ObjectID] = [:]
    /// Each network's NICs in the graph (any spec) and their agents.
    var networkPorts: [ObjectID: [ObjectID: [ObjectID]]] = [:]
    /// The graph's nodes of resource objects (the message's included), by id.
    var nodes: [ObjectID: GraphNode] = [:]

    /// At most this many objects of other specs are followed, so a message cannot make the
    /// scheduler walk the whole graph.
    static let externalLimit = 64

    static func load(_ tx: StoreTransaction, message: SpecMessage, logger: Logger) async throws -> SpecContext {
        var context = SpecContext()
        let messageIDs = Set(message.spec.compactMap(\.id))
        let graph = try await tx.graph(specID: message.id)
        var edges = Set(graph.edges)
        var allNodes: [ObjectID: GraphNode] = [:]
        for node in graph.nodes { allNodes[ObjectID(node.id)] = node }
        context.specMembers = messageIDs.union(graph.nodes.filter { $0.specID == message.id }.map { ObjectID($0.id) })

        // Objects outside the spec carry their placements and dependencies in edges the spec's
        // graph does not hold: follow them, a bounded number of steps.
        func references(of object: Object) -> [ObjectID] {
            (object.dependencies ?? []).filter { $0.property.relation != Relation.scheduled }.compactMap(\.object.id)
        }
        var pending: [ObjectID] = message.spec.flatMap(references).filter { !context.specMembers.contains($0) }
        for (id, node) in allNodes where context.specMembers.contains(id) && !messageIDs.contains(id) {
            if let object = decode(node, logger: logger) {
                pending += references(of: object).filter { !context.specMembers.contains($0) }
            }
        }
        var followed = Set<ObjectID>()
        while let id = pending.popLast(), followed.count < externalLimit {
            guard followed.insert(id).inserted else { continue }
            let neighbourhood = try await tx.subgraph(from: id.uuid, depth: 1, direction: .outgoing)
            edges.formUnion(neighbourhood.edges)
            for node in neighbourhood.nodes {
                let nodeID = ObjectID(node.id)
                allNodes[nodeID] = node
                if nodeID != id, !followed.contains(nodeID), !context.specMembers.contains(nodeID),
                   ObjectType(rawValue: node.type)?.isAgent == false {
                    pending.append(nodeID)
                }
            }
        }

        for (id, node) in allNodes {
            guard let type = ObjectType(rawValue: node.type), !type.isAgent else { continue }
            context.nodes[id] = node
            guard !messageIDs.contains(id), var object = decode(node, logger: logger) else { continue }
            object.desiredState = node.desiredState ?? object.desiredState
            context.related[id] = object
        }
        for edge in edges where edge.relation == Relation.scheduled {
            context.current[ObjectID(edge.source), default: []].append(ObjectID(edge.target))
        }
        for (id, agents) in context.current { context.current[id] = Array(Set(agents)).sorted() }
        for edge in edges where edge.relation == Relation.networkDHCPServer {
            context.dhcpServers[ObjectID(edge.source)] = ObjectID(edge.target)
        }
        var networks = Set<ObjectID>()
        for object in message.spec + Array(context.related.values) {
            if object.type == .networkVLAN, let id = object.id { networks.insert(id) }
            if object.type == .nic { networks.formUnion(object.dependencies(relation: Relation.portNetwork).compactMap(\.object.id)) }
        }
        // An entry for every network asked about, empty when it has no NIC left.
        for network in networks { context.networkPorts[network] = [:] }
        for port in try await tx.networkPorts(networks: networks.map(\.uuid), portRelation: Relation.portNetwork,
                                              scheduledRelation: Relation.scheduled) {
            context.networkPorts[ObjectID(port.networkID), default: [:]][ObjectID(port.nicID), default: []].append(ObjectID(port.agentID))
        }
        return context
    }

    /// The spec's objects that the message does not carry.
    var siblings: Set<ObjectID> {
        specMembers.filter { related[$0] != nil }
    }

    /// The object a node holds, or nil (logged) when it cannot be read.
    static func decode(_ node: GraphNode, logger: Logger) -> Object? {
        do {
            return try MessageCodec.decode(Object.self, from: node.object, format: .json)
        } catch {
            logger.warning("skipping a graph node whose object cannot be read", metadata: [
                "node_id": "\(node.id)", "error": "\(error)",
            ])
            return nil
        }
    }
}
