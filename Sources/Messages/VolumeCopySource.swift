/// Where a volume being moved off a draining host is copied from (`Request.copy_from`): the
/// volumer that holds it now and the volume's URL on that volumer's export server,
/// `<export_url>/volumes/<volume id>` (docs/volume-copy.md).
public struct VolumeCopySource: Codable, Sendable, Hashable {
    /// The source volumer's agent id, for messages.
    public var agentID: ObjectID
    /// The full URL of the volume on the source volumer.
    public var url: String

    public init(agentID: ObjectID, url: String) {
        self.agentID = agentID
        self.url = url
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case agentID = "agent_id"
        case url
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        agentID = try container.decode(ObjectID.self, forKey: .agentID)
        url = try container.decode(String.self, forKey: .url)
    }
}
