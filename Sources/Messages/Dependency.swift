/// An edge of the resource graph: this object depends on `object`, in the way
/// `property.relation` says (a VM's attached volume, a NIC's network, an object's agent).
public struct Dependency: Sendable, Hashable {
    public var object: Object
    public var property: DependencyProperty

    public init(object: Object, property: DependencyProperty) {
        self.object = object
        self.property = property
    }

    /// The edge the scheduler adds from an object to the agent it placed it on.
    public static func scheduled(on agent: Object) -> Dependency {
        Dependency(object: agent, property: DependencyProperty(relation: Relation.scheduled))
    }
}

extension Dependency: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case object, property
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        object = try container.decode(Object.self, forKey: .object)
        property = try container.decode(DependencyProperty.self, forKey: .property)
    }
}
