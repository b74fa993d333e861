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
///
/// The progress is that of the object's round (``PlacementRecord``): the version that last
/// changed it. A later version that leaves the object unchanged sends it nowhere, so the object
/// keeps, and shows with `version`, the progress of the version that applied it.
public struct ObjectProgress: Encodable, Sendable {
    public var id: ObjectID
    public var type: String
    public var name: String
    public var desiredState: String?
    public var progress: String
    public var message: String?
    /// The version whose round ``progress`` belongs to.
    public var version: Int
    public var agent: ObjectID?
    public var updatedAt: String?

    /// - Parameters:
    ///   - events: the spec's events about this object, of every version, oldest first.
    ///   - round: the object's placement round, nil when the store has none (older rows).
    ///   - currentVersion: the spec's latest version.
    init(node: GraphNode, events: [Event], round: PlacementRecord?, currentVersion: Int, agent: UUID?) {
        id = ObjectID(node.id)
        type = node.type
        name = node.name
        desiredState = node.desiredState
        let version = round?.version ?? events.map(\.version).max() ?? currentVersion
        self.version = version
        let last = events.last { $0.version == version && $0.kind != .abandoned }
        if let last {
            progress = last.kind.rawValue
            message = last.message
        } else if let round, round.version < currentVersion {
            // Carried over, its events past retention (`retention.settled_history_seconds`):
            // the round's phase still says where it stands.
            progress = Self.progress(of: round.phase)
            message = "unchanged since version \(version); its events are past retention"
        } else {
            progress = "PENDING"
        }
        self.agent = agent.map(ObjectID.init)
        updatedAt = (last?.createdAt ?? node.updatedAt).map(SpecStatus.timestamp)
    }

    /// The progress word for a round's phase.
    static func progress(of phase: PlacementPhase) -> String {
        switch phase {
        case .waiting: EventKind.waiting.rawValue
        case .scheduled: EventKind.scheduled.rawValue
        case .rescheduling: EventKind.rescheduled.rawValue
        case .applied: EventKind.applied.rawValue
        case .failed: EventKind.failed.rawValue
        default: "PENDING"
        }
    }

    enum CodingKeys: String, CodingKey {
        case id, type, name, progress, message, version, agent
        case desiredState = "desired_state"
        case updatedAt = "updated_at"
    }
}
