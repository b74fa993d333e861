import Foundation
import Messages
import Store

/// The answer to `GET /api/spec/{id}`: the latest version and where each of its objects stands.
public struct SpecStatus: Encodable, Sendable {
    public var id: Int64
    public var version: Int
    public var createdAt: Date
    /// `pending`, `applied` or `failed`.
    public var state: String
    public var reason: String?
    public var annotations: Annotations?
    public var spec: VariableMap
    public var objects: [ObjectProgress]
    /// Events about the whole version (accepted, applied, failed).
    public var events: [SpecEvent]

    public struct SpecEvent: Encodable, Sendable {
        public var kind: String
        public var message: String
        public var at: String?

        init(_ event: Event) {
            kind = event.kind.rawValue
            message = event.message
            at = event.createdAt.map(SpecStatus.timestamp)
        }
    }

    enum CodingKeys: String, CodingKey {
        case id, version, state, reason, annotations, spec, objects, events
        case createdAt = "created_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(version, forKey: .version)
        try container.encode(Self.timestamp(createdAt), forKey: .createdAt)
        try container.encode(state, forKey: .state)
        try container.encodeIfPresent(reason, forKey: .reason)
        try container.encodeIfPresent(annotations, forKey: .annotations)
        try container.encode(spec, forKey: .spec)
        try container.encode(objects, forKey: .objects)
        try container.encode(events, forKey: .events)
    }

    static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}

/// One object of a spec and its latest progress: `PENDING` until the scheduler places it (or
/// `WAITING` for room, with the reason), then `SCHEDULED`, `APPLIED`, `RESCHEDULED`, or `FAILED`
/// with the reason. `ABANDONED` events (an attempt given up on) are in the log, not the progress.
public struct ObjectProgress: Encodable, Sendable {
    public var id: ObjectID
    public var type: String
    public var name: String
    public var desiredState: String?
    public var progress: String
    public var message: String?
    public var agent: ObjectID?
    public var updatedAt: String?

    init(node: GraphNode, events: [Event], agent: UUID?) {
        id = ObjectID(node.id)
        type = node.type
        name = node.name
        desiredState = node.desiredState
        let last = events.last { $0.kind != .abandoned }
        progress = last?.kind.rawValue ?? "PENDING"
        message = last?.message
        self.agent = agent.map(ObjectID.init)
        updatedAt = (last?.createdAt ?? node.updatedAt).map(SpecStatus.timestamp)
    }

    enum CodingKeys: String, CodingKey {
        case id, type, name, progress, message, agent
        case desiredState = "desired_state"
        case updatedAt = "updated_at"
    }
}
