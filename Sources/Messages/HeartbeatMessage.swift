import Foundation

/// Agent → conductor, every `intervalSeconds`: "I am alive, and this is what I can give".
///
/// On the wire it is the agent object itself (`type: agent/…`, `id`, `host_id`, `state: alived`,
/// `capacity`) with `interval_seconds` and `sent_at` beside its fields, as the design describes;
/// the conductor declares an agent `dead` after three silent intervals.
public struct HeartbeatMessage: WireMessage, Hashable {
    public static let messageType = MessageType.heartbeat

    /// The agent; its `type` is an agent type and its `id` is set.
    public var agent: Object
    public var intervalSeconds: Int
    public var sentAt: Date

    /// The intervals an agent may promise (`agent.heartbeat_seconds`): three of them are how long
    /// the conductor waits before declaring it dead, so more than an hour is no liveness at all.
    public static let intervalBounds = 1...3_600

    public init(agent: Object, intervalSeconds: Int, sentAt: Date) {
        self.agent = agent
        self.intervalSeconds = intervalSeconds
        self.sentAt = sentAt
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case intervalSeconds = "interval_seconds"
        case sentAt = "sent_at"
    }

    public init(from decoder: any Decoder) throws {
        agent = try Object(from: decoder, extraKeys: Set(CodingKeys.allCases.map(\.stringValue)))
        var problems: [FieldProblem] = []
        if agent.type?.isAgent != true {
            let found = agent.type.map { "'\($0.rawValue)'" } ?? "no type"
            problems.append(FieldProblem(codingPath: decoder.codingPath + [ObjectKey.type],
                                         message: "a heartbeat carries an agent object (agent/…), found \(found)"))
        }
        if agent.id == nil {
            problems.append(FieldProblem(codingPath: decoder.codingPath + [ObjectKey.id],
                                         message: "a heartbeat needs the agent's id"))
        }
        if !problems.isEmpty {
            throw DocumentError(problems: problems)
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        intervalSeconds = try container.decode(Int.self, forKey: .intervalSeconds)
        sentAt = try container.decodeTimestamp(forKey: .sentAt)
        if !Self.intervalBounds.contains(intervalSeconds) {
            throw DocumentError(problems: [FieldProblem(
                codingPath: decoder.codingPath + [CodingKeys.intervalSeconds],
                message: "\(intervalSeconds) is out of bounds; expected \(Self.intervalBounds.lowerBound) to \(Self.intervalBounds.upperBound) seconds")])
        }
    }

    public func encode(to encoder: any Encoder) throws {
        try agent.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(intervalSeconds, forKey: .intervalSeconds)
        try container.encodeTimestamp(sentAt, forKey: .sentAt)
    }
}
