/// Agent → conductor and → the agents of dependents (seed 5.2, 5.3): the outcome for one
/// object, carrying the object as it now is (with `url`, `bridge`… filled in).
public struct NotifyMessage: WireMessage, Hashable {
    public static let messageType = MessageType.notify

    public var specID: Int64
    /// A sentence for people (`msg` on the wire).
    public var message: String
    public var level: NotifyLevel
    public var object: Object
    /// The ``RequestMessage/attempt`` this answers; a result of an attempt older than the
    /// object's current one is from an abandoned attempt.
    public var attempt: Int?

    public init(specID: Int64, message: String, level: NotifyLevel, object: Object, attempt: Int? = nil) {
        self.specID = specID
        self.message = message
        self.level = level
        self.object = object
        self.attempt = attempt
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case specID = "spec_id"
        case message = "msg"
        case level, object, attempt
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        specID = try container.decode(Int64.self, forKey: .specID)
        message = try container.decode(String.self, forKey: .message)
        level = try container.decode(NotifyLevel.self, forKey: .level)
        object = try container.decode(Object.self, forKey: .object)
        attempt = try container.decodeIfPresent(Int.self, forKey: .attempt)
    }
}

/// How a `Notify` ended: `SUCCESS` and `ERROR` decide an object's fate; `INFO` and `WARNING`
/// report progress without deciding anything.
public enum NotifyLevel: String, CaseIterable, Sendable, Hashable {
    case success = "SUCCESS"
    case error = "ERROR"
    case info = "INFO"
    case warning = "WARNING"
}

extension NotifyLevel: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let level = NotifyLevel(rawValue: text) else {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "unknown level '\(text)'; expected \(englishList(NotifyLevel.allCases.map(\.rawValue)))"
            )
        }
        self = level
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
