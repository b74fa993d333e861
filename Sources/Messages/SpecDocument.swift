/// What a user submits (`POST /api/spec`, seed 1.1): objects under variable names.
public struct SpecDocument: Sendable, Hashable {
    public var version: Int?
    public var annotations: Annotations?
    /// Top-level variables; objects may reference each other with `variable: NAME`.
    public var spec: VariableMap

    public init(version: Int? = nil, annotations: Annotations? = nil, spec: VariableMap) {
        self.version = version
        self.annotations = annotations
        self.spec = spec
    }
}

extension SpecDocument: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case version, annotations, spec
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        version = try container.decodeIfPresent(Int.self, forKey: .version)
        annotations = try container.decodeIfPresent(Annotations.self, forKey: .annotations)
        spec = try container.decode(VariableMap.self, forKey: .spec)
    }
}
