/// `GET /api/agents`: a page of agents with liveness, capacity and what is claimed on them.
public struct AgentPage: Sendable, Decodable {
    public struct Agent: Sendable, Decodable {
        public struct Capacity: Sendable, Decodable {
            public var vcpus: Int?
            /// Sizes as the API writes them (`8gb`).
            public var memory: String?
            public var disk: String?
        }

        public struct Claimed: Sendable, Decodable {
            public var vcpus: Int
            public var memoryBytes: Int64
            public var diskBytes: Int64

            enum CodingKeys: String, CodingKey {
                case vcpus
                case memoryBytes = "memory_bytes"
                case diskBytes = "disk_bytes"
            }
        }

        public var id: String
        public var type: String
        public var hostID: String?
        public var liveness: String?
        public var lastHeartbeat: String?
        public var capacity: Capacity?
        public var claimed: Claimed

        enum CodingKeys: String, CodingKey {
            case id, type, liveness, capacity, claimed
            case hostID = "host_id"
            case lastHeartbeat = "last_heartbeat"
        }
    }

    public var agents: [Agent]
    public var next: String?
}
