import Foundation
import Hummingbird
import Messages
import Store

/// `/api/graph` and `/api/objects/{id}`: the resource graph, read-only.
struct GraphController<Context: RequestContext> {
    let store: Store
    let database: DatabaseGuard
    static var maxDepth: Int { 16 }

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("graph", use: graph)
        group.get("objects/:id", use: object)
    }

    /// `?spec_id=N` for a spec's objects and their agents; `?object_id=UUID&depth=D` for the
    /// neighbourhood of one object; neither for a page of the whole graph (`limit`, `cursor`). A spec or object that does not exist is 404, as on every
    /// route, not an empty graph. Every parameter given is checked, so `depth` beside `spec_id`,
    /// or both selectors, is an error rather than silently ignored.
    @Sendable func graph(_ request: Request, context: Context) async throws -> Response {
        let graph: Graph
        var next: String?
        let query = request.uri.queryParameters
        try query.requireOnly(["spec_id", "object_id", "depth", "limit", "cursor"])
        switch try GraphQuery(specID: query["spec_id"].map(String.init), objectID: query["object_id"].map(String.init),
                              depth: query["depth"].map(String.init), maxDepth: Self.maxDepth,
                              limit: query["limit"].map(String.init), cursor: query["cursor"].map(String.init)) {
        case .spec(let specID):
            graph = try await database.run { [store] in
                guard try await store.spec(specID) != nil else { throw APIError.notFound("spec \(specID)") }
                return try await store.graph(specID: specID)
            }
        case .object(let id, let depth):
            graph = try await database.run { [store] in
                guard try await store.node(id.uuid) != nil else { throw APIError.notFound("object \(id)") }
                return try await store.subgraph(from: id.uuid, depth: depth)
            }
        case .all(let page):
            graph = try await database.run { [store] in try await store.graphPage(after: page.uuid, limit: page.limit) }
            next = page.next(count: graph.nodes.count, lastID: graph.nodes.last?.id)
        }
        var body = GraphBody(graph)
        body.next = next
        return Negotiation(request).respond(body)
    }

    @Sendable func object(_ request: Request, context: Context) async throws -> Response {
        guard let text = context.parameters.get("id"), let id = ObjectID(text) else {
            throw APIError(status: .badRequest, message: "the object id in the path must be a UUID")
        }
        guard let node = try await database.run({ [store] in try await store.node(id.uuid) }) else {
            throw APIError.notFound("object \(id)")
        }
        return Negotiation(request).respond(GraphBody.Node(node))
    }
}

/// The graph as the API shows it: each node with its object (VNC password masked) and states.
struct GraphBody: Encodable {
    struct Node: Encodable {
        var id: ObjectID
        var type: String
        var name: String
        var specID: Int64?
        var desiredState: String?
        var observedState: String?
        var updatedAt: String?
        var object: Object?

        init(_ node: GraphNode) {
            id = ObjectID(node.id)
            type = node.type
            name = node.name
            specID = node.specID
            desiredState = node.desiredState
            observedState = node.observedState
            updatedAt = node.updatedAt.map(SpecStatus.timestamp)
            object = (try? MessageCodec.decode(Object.self, from: node.object, format: .json))?.redacted()
        }

        enum CodingKeys: String, CodingKey {
            case id, type, name, object
            case specID = "spec_id"
            case desiredState = "desired_state"
            case observedState = "observed_state"
            case updatedAt = "updated_at"
        }
    }

    struct Edge: Encodable {
        var source: ObjectID
        var target: ObjectID
        var relation: String
        var property: DependencyProperty?

        init(_ edge: GraphEdge) {
            source = ObjectID(edge.source)
            target = ObjectID(edge.target)
            relation = edge.relation
            property = try? MessageCodec.decode(DependencyProperty.self, from: edge.properties, format: .json)
        }
    }

    var nodes: [Node]
    var edges: [Edge]
    /// The cursor of the next page of the whole graph (`GET /api/graph` without a selector).
    var next: String?

    init(_ graph: Graph) {
        nodes = graph.nodes.map(Node.init)
        edges = graph.edges.map(Edge.init)
    }
}
