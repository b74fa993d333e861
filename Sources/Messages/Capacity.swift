/// What an agent's host can give to new resources; agents report it in heartbeats and the
/// scheduler claims from it.
public struct Capacity: Sendable, Hashable, Codable {
    public var vcpus: Int?
    public var memory: Size?
    public var disk: Size?

    public init(vcpus: Int? = nil, memory: Size? = nil, disk: Size? = nil) {
        self.vcpus = vcpus
        self.memory = memory
        self.disk = disk
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case vcpus, memory, disk
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        vcpus = try container.decodeIfPresent(Int.self, forKey: .vcpus)
        memory = try container.decodeIfPresent(Size.self, forKey: .memory)
        disk = try container.decodeIfPresent(Size.self, forKey: .disk)
        let problems = boundProblems(codingPath: decoder.codingPath)
        if !problems.isEmpty { throw DocumentError(problems: problems) }
    }
}
