import Foundation

/// The API's answer to a submitted spec (seed 1.2): the resolved document, with ids, names and
/// desired states filled in, and the spec's id and version.
public struct SpecResponse: Sendable, Hashable {
    public var id: Int64
    /// When this version was stored. Written as ISO 8601; the seed's `1990/1/1 00:00` form is
    /// accepted on input (as UTC) so the seed example decodes.
    public var createdAt: Date
    public var version: Int
    public var annotations: Annotations?
    public var spec: VariableMap

    public init(id: Int64, createdAt: Date, version: Int, annotations: Annotations? = nil, spec: VariableMap) {
        self.id = id
        self.createdAt = createdAt
        self.version = version
        self.annotations = annotations
        self.spec = spec
    }
}

extension SpecResponse: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case id
        case createdAt = "created_at"
        case version, annotations, spec
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(Int64.self, forKey: .id)
        createdAt = try container.decodeTimestamp(forKey: .createdAt)
        version = try container.decode(Int.self, forKey: .version)
        annotations = try container.decodeIfPresent(Annotations.self, forKey: .annotations)
        spec = try container.decode(VariableMap.self, forKey: .spec)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encodeTimestamp(createdAt, forKey: .createdAt)
        try container.encode(version, forKey: .version)
        try container.encodeIfPresent(annotations, forKey: .annotations)
        try container.encode(spec, forKey: .spec)
    }
}
