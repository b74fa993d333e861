/// Scheduler → an agent's own topic (seed 5.1): one object to bring to its desired state.
///
/// `object` embeds its dependencies whole, each with its own `scheduled` dependency on its
/// agent, so the agent knows what it waits for and whose `Notify` to expect. `dependedBy` names
/// the objects (with their scheduled agents) waiting for this one: the agent sends its `Notify`
/// to each of those agents too.
public struct RequestMessage: WireMessage, Hashable {
    public static let messageType = MessageType.request

    public var specID: Int64
    public var object: Object
    /// Empty when nothing waits. Written as `depended_by: null` when empty, like the seed's bare
    /// `depended_by:`; null and a missing key decode as empty.
    public var dependedBy: [Object]
    /// The number of this placement of the object (its epoch), increasing with every `Request`
    /// the scheduler sends for it. An agent holding a higher attempt refuses this request (it
    /// is from an abandoned attempt); its `Notify` carries the number back. Nil from senders
    /// before attempts existed.
    public var attempt: Int?
    /// Only the scheduler sets it, only on a `resource/volume/file` it moves off a draining host:
    /// the new volumer creates the volume as a copy of the old one, fetched from the old volumer
    /// (docs/volume-copy.md). Never part of a user's document. Written only when present.
    public var copyFrom: VolumeCopySource?

    public init(specID: Int64, object: Object, dependedBy: [Object] = [], attempt: Int? = nil,
                copyFrom: VolumeCopySource? = nil) {
        self.specID = specID
        self.object = object
        self.dependedBy = dependedBy
        self.attempt = attempt
        self.copyFrom = copyFrom
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case specID = "spec_id"
        case object
        case dependedBy = "depended_by"
        case attempt
        case copyFrom = "copy_from"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        specID = try container.decode(Int64.self, forKey: .specID)
        object = try container.decode(Object.self, forKey: .object)
        dependedBy = try container.decodeIfPresent([Object].self, forKey: .dependedBy) ?? []
        attempt = try container.decodeIfPresent(Int.self, forKey: .attempt)
        copyFrom = try container.decodeIfPresent(VolumeCopySource.self, forKey: .copyFrom)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(specID, forKey: .specID)
        try container.encode(object, forKey: .object)
        if dependedBy.isEmpty {
            try container.encodeNil(forKey: .dependedBy)
        } else {
            try container.encode(dependedBy, forKey: .dependedBy)
        }
        try container.encodeIfPresent(attempt, forKey: .attempt)
        try container.encodeIfPresent(copyFrom, forKey: .copyFrom)
    }
}
