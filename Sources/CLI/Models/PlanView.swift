/// `POST /api/spec?dry_run=true`, `PUT /api/spec/{id}?dry_run=true`: what applying the document
/// would do to each object, and where the scheduler would place it now.
public struct PlanView: Sendable, Decodable {
    public struct Object: Sendable, Decodable {
        public struct Placement: Sendable, Decodable {
            public var agentID: String
            public var hostID: String?

            enum CodingKeys: String, CodingKey {
                case agentID = "agent_id"
                case hostID = "host_id"
            }
        }

        public var name: String
        public var id: String?
        public var type: String
        /// `create`, `change`, `delete` or `unchanged`.
        public var action: String
        public var changedFields: [String]?
        public var placement: Placement?
        public var placementError: String?

        enum CodingKeys: String, CodingKey {
            case name, id, type, action, placement
            case changedFields = "changed_fields"
            case placementError = "placement_error"
        }
    }

    public var specID: Int64?
    public var version: Int
    public var objects: [Object]

    enum CodingKeys: String, CodingKey {
        case version, objects
        case specID = "spec_id"
    }
}
