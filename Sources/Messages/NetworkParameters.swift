/// Parameters of a VLAN network.
public struct NetworkParameters: Sendable, Hashable, Codable {
    /// The 802.1Q tag of the uplink.
    public var vlanID: Int?

    public init(vlanID: Int? = nil) {
        self.vlanID = vlanID
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case vlanID = "vlan_id"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        vlanID = try container.decodeIfPresent(Int.self, forKey: .vlanID)
    }
}
