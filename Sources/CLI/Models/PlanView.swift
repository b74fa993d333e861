/// `POST /api/spec?dry_run=true`, `PUT /api/spec/{id}?dry_run=true`: what applying the document
/// would do to each object, and where the scheduler would place what the version sends.
public struct PlanView: Sendable, Decodable {
    /// What the version would do to one object. Open, so an action a newer API adds is shown.
    public struct Action: RawRepresentable, Hashable, Sendable, Decodable {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        public static let create = Action(rawValue: "create")
        public static let change = Action(rawValue: "change")
        public static let delete = Action(rawValue: "delete")
        public static let unchanged = Action(rawValue: "unchanged")

        public init(from decoder: any Decoder) throws {
            rawValue = try decoder.singleValueContainer().decode(String.self)
        }
    }

    /// How placing the version would go as a whole. Open, like ``Action``.
    public struct Outcome: RawRepresentable, Hashable, Sendable, Decodable {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        public static let placed = Outcome(rawValue: "placed")
        /// No room now: the version would wait.
        public static let waiting = Outcome(rawValue: "waiting")
        /// The version would fail.
        public static let impossible = Outcome(rawValue: "impossible")
        /// The version changes no object.
        public static let nothingToPlace = Outcome(rawValue: "nothing to place")

        public init(from decoder: any Decoder) throws {
            rawValue = try decoder.singleValueContainer().decode(String.self)
        }
    }

    /// An agent the scheduler would choose, and its host.
    public struct Placement: Sendable, Decodable, Equatable {
        public var agentID: String
        public var hostID: String

        enum CodingKeys: String, CodingKey {
            case agentID = "agent_id"
            case hostID = "host_id"
        }
    }

    public struct Object: Sendable, Decodable {
        public var name: String
        /// Absent for an object the version would create: its id is given when it is stored.
        public var id: String?
        public var type: String
        public var action: Action
        /// The top-level keys whose value changes (for `change` only).
        public var changedFields: [String]
        /// Null for an object the version does not send to the scheduler.
        public var placement: Placement?
        /// Every agent it would be on, when more than one (a network spans several porters).
        public var placements: [Placement]?
        /// Why it would wait or could not be placed.
        public var placementError: String?

        /// Every agent the object would be on; none when it is not sent.
        public var agents: [Placement] { placements ?? placement.map { [$0] } ?? [] }

        enum CodingKeys: String, CodingKey {
            case name, id, type, action, placement, placements
            case changedFields = "changed_fields"
            case placementError = "placement_error"
        }
    }

    /// Absent in the plan of a `POST`: the spec has no id yet.
    public var specID: Int64?
    /// The version the request would store.
    public var version: Int
    public var placement: Outcome
    /// Why the version would wait or fail.
    public var reason: String?
    public var objects: [Object]

    enum CodingKeys: String, CodingKey {
        case version, placement, reason, objects
        case specID = "spec_id"
    }
}
