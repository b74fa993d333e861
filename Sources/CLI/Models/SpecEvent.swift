/// One recorded event of a spec (`GET /api/spec/{id}/events`, and each `event` of its stream).
/// `kind` is open-ended: `SCHEDULED`, `APPLIED`, `FAILED`, `WAITING`, `RESCHEDULED`, … .
public struct SpecEvent: Sendable, Codable, Equatable {
    public var id: Int64
    public var specID: Int64
    public var version: Int
    public var objectID: String?
    public var objectName: String?
    public var kind: String
    public var message: String
    public var createdAt: String?

    enum CodingKeys: String, CodingKey {
        case id, version, kind, message
        case specID = "spec_id"
        case objectID = "object_id"
        case objectName = "object_name"
        case createdAt = "created_at"
    }

    public init(id: Int64, specID: Int64, version: Int, objectID: String? = nil, objectName: String? = nil,
                kind: String, message: String, createdAt: String? = nil) {
        self.id = id
        self.specID = specID
        self.version = version
        self.objectID = objectID
        self.objectName = objectName
        self.kind = kind
        self.message = message
        self.createdAt = createdAt
    }
}

/// `GET /api/spec/{id}/events` as JSON: a page of the spec's log and its latest version's state.
public struct SpecEventLog: Sendable, Decodable {
    public var specID: Int64
    public var state: SpecState
    public var events: [SpecEvent]
    /// Present when the page is full: the `after` of the next page.
    public var next: Int64?

    enum CodingKeys: String, CodingKey {
        case state, events, next
        case specID = "spec_id"
    }
}

/// The stream's last message: the spec's latest version has settled, the server closes the stream.
public struct SettledNotice: Sendable, Codable, Equatable {
    public var specID: Int64
    public var version: Int
    public var state: SpecState
    public var reason: String?

    enum CodingKeys: String, CodingKey {
        case version, state, reason
        case specID = "spec_id"
    }

    public init(specID: Int64, version: Int, state: SpecState, reason: String? = nil) {
        self.specID = specID
        self.version = version
        self.state = state
        self.reason = reason
    }
}
