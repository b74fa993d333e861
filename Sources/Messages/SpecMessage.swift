/// API → scheduler (seed 3), and conductor → scheduler to reschedule: every object of a spec
/// version, flattened into a list, dependencies naming other objects by `id` only.
public struct SpecMessage: WireMessage, Hashable {
    public static let messageType = MessageType.spec

    /// The spec id.
    public var id: Int64
    public var version: Int?
    public var annotations: Annotations?
    public var spec: [Object]

    public init(id: Int64, version: Int? = nil, annotations: Annotations? = nil, spec: [Object]) {
        self.id = id
        self.version = version
        self.annotations = annotations
        self.spec = spec
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, version, annotations, spec
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(Int64.self, forKey: .id)
        version = try container.decodeIfPresent(Int.self, forKey: .version)
        annotations = try container.decodeIfPresent(Annotations.self, forKey: .annotations)
        spec = try container.decode([Object].self, forKey: .spec)
    }
}
