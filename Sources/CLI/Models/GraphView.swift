/// `GET /api/graph`: nodes with their states and the edges between them.
public struct GraphView: Sendable, Decodable {
    public struct Node: Sendable, Decodable {
        public var id: String
        public var type: String
        public var name: String
        public var desiredState: String?
        public var observedState: String?
        /// The object itself; an agent's carries its `host_id`.
        public var object: JSONValue?

        /// What the graph shows: the observed state once an agent reported one, else the desired one.
        public var state: String? { observedState ?? desiredState }
        public var isAgent: Bool { type.hasPrefix("agent/") }
        /// The name, or the id for an object written without one (an inline NIC).
        public var displayName: String { name.isEmpty ? id : name }

        enum CodingKeys: String, CodingKey {
            case id, type, name, object
            case desiredState = "desired_state"
            case observedState = "observed_state"
        }

        public init(id: String, type: String, name: String, desiredState: String? = nil, observedState: String? = nil,
                    object: JSONValue? = nil) {
            self.id = id
            self.type = type
            self.name = name
            self.desiredState = desiredState
            self.observedState = observedState
            self.object = object
        }
    }

    public struct Edge: Sendable, Decodable {
        public var source: String
        public var target: String
        public var relation: String

        /// `n0stack/n0core/vm/attachments` → `attachments`.
        public var shortRelation: String { relation.split(separator: "/").last.map(String.init) ?? relation }
        public var isPlacement: Bool { relation == "n0stack/n0core/resource/scheduled" }

        public init(source: String, target: String, relation: String) {
            self.source = source
            self.target = target
            self.relation = relation
        }
    }

    public var nodes: [Node]
    public var edges: [Edge]
    public var next: String?

    public init(nodes: [Node], edges: [Edge]) {
        self.nodes = nodes
        self.edges = edges
    }
}
