/// One host of `GET /api/hosts` (and the head of `GET /api/hosts/{id}`).
public struct HostView: Sendable, Decodable {
    public struct Drain: Sendable, Decodable {
        public var reason: String
        public var since: String
    }

    public var hostID: String
    public var agents: Int
    public var aliveAgents: Int
    public var objects: Int
    public var drain: Drain?

    enum CodingKeys: String, CodingKey {
        case agents, objects, drain
        case hostID = "host_id"
        case aliveAgents = "alive_agents"
    }
}

/// `GET /api/hosts`.
public struct HostList: Sendable, Decodable {
    public var hosts: [HostView]
}

/// `GET /api/hosts/{id}` and the answer to draining or undraining it.
public struct HostDetail: Sendable, Decodable {
    public struct Placed: Sendable, Decodable {
        public var id: String
        public var specID: Int64?
        public var name: String
        public var type: String
        public var pinned: Bool

        enum CodingKeys: String, CodingKey {
            case id, name, type, pinned
            case specID = "spec_id"
        }
    }

    public var host: HostView
    public var objects: [Placed]
}
