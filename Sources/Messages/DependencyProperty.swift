/// What a dependency means: its relation label (`r`) and, for a VM's volumes, the boot order.
public struct DependencyProperty: Sendable, Hashable {
    /// The relation label, one of ``Relation``'s constants.
    public var relation: String
    /// Boot order of an attached volume (`n0stack/n0core/vm/boot_priority`); lower boots first.
    public var bootPriority: Int?

    public init(relation: String, bootPriority: Int? = nil) {
        self.relation = relation
        self.bootPriority = bootPriority
    }
}

extension DependencyProperty: Codable {
    /// `bootPrority` is the seed's misspelling, accepted on input so its example works as written.
    enum CodingKeys: String, CodingKey, CaseIterable {
        case relation = "r"
        case bootPriority = "n0stack/n0core/vm/boot_priority"
        case bootPrority = "n0stack/n0core/vm/boot_prority"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if container.contains(.bootPriority) && container.contains(.bootPrority) {
            throw DocumentError(problems: [FieldProblem(
                codingPath: decoder.codingPath + [CodingKeys.bootPrority],
                message: "both '\(CodingKeys.bootPriority.rawValue)' and its misspelling "
                    + "'\(CodingKeys.bootPrority.rawValue)' given; write only the first"
            )])
        }
        relation = try container.decode(String.self, forKey: .relation)
        let key: CodingKeys = container.contains(.bootPrority) ? .bootPrority : .bootPriority
        bootPriority = try container.decodeIfPresent(Int.self, forKey: key)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(relation, forKey: .relation)
        try container.encodeIfPresent(bootPriority, forKey: .bootPriority)
    }
}
