import Foundation

/// What a user submits (`POST /api/spec`, seed 1.1): objects under variable names.
public struct SpecDocument: Sendable, Hashable {
    public var version: Int?
    public var annotations: Annotations?
    /// Top-level variables; objects may reference each other with `variable: NAME`.
    public var spec: VariableMap
    /// Read-only fields of the API's answers (``SpecResponse``): the spec's id and when the
    /// version was stored. They are accepted so that a version read back can be sent again
    /// unchanged (`GET` → `PUT`); the API checks that they match and drops them.
    public var id: Int64?
    public var createdAt: Date?

    public init(version: Int? = nil, annotations: Annotations? = nil, spec: VariableMap, id: Int64? = nil,
                createdAt: Date? = nil) {
        self.version = version
        self.annotations = annotations
        self.spec = spec
        self.id = id
        self.createdAt = createdAt
    }

    /// The document without the read-only fields, as it is stored and resolved.
    public var withoutReadOnlyFields: SpecDocument {
        SpecDocument(version: version, annotations: annotations, spec: spec)
    }
}

extension SpecDocument: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case version, annotations, spec, id
        case createdAt = "created_at"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        version = try container.decodeIfPresent(Int.self, forKey: .version)
        annotations = try container.decodeIfPresent(Annotations.self, forKey: .annotations)
        spec = try container.decode(VariableMap.self, forKey: .spec)
        id = try container.decodeIfPresent(Int64.self, forKey: .id)
        createdAt = try container.contains(.createdAt) ? container.decodeTimestamp(forKey: .createdAt) : nil
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(id, forKey: .id)
        if let createdAt { try container.encodeTimestamp(createdAt, forKey: .createdAt) }
        try container.encodeIfPresent(version, forKey: .version)
        try container.encodeIfPresent(annotations, forKey: .annotations)
        try container.encode(spec, forKey: .spec)
    }
}
