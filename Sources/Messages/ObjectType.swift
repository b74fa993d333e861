/// The kind of an object: what it is and, through that, which agent creates it and which
/// fields and desired states it may carry.
public enum ObjectType: String, CaseIterable, Sendable, Hashable {
    case vmKVM = "resource/vm/kvm"
    case volumeFile = "resource/volume/file"
    case nic = "resource/nic"
    case networkVLAN = "resource/network/vlan"
    /// A disk image the volumers fetch, verify and cache, for volumes made from it (docs/images.md).
    case image = "resource/image"
    case agentComputeKVM = "agent/compute/kvm"
    case agentVolumerFile = "agent/volumer/file"
    case agentPorterVLAN = "agent/porter/vlan"

    /// Agents are the objects that do the work; everything else is a resource they create.
    public var isAgent: Bool {
        switch self {
        case .agentComputeKVM, .agentVolumerFile, .agentPorterVLAN: true
        case .vmKVM, .volumeFile, .nic, .networkVLAN, .image: false
        }
    }

    /// The kind of agent that creates a resource of this type (`nil` for agents themselves):
    /// the porter serves both NICs and networks because both live on its bridges.
    public var servingAgent: ObjectType? {
        switch self {
        case .vmKVM: .agentComputeKVM
        case .volumeFile, .image: .agentVolumerFile
        case .nic, .networkVLAN: .agentPorterVLAN
        case .agentComputeKVM, .agentVolumerFile, .agentPorterVLAN: nil
        }
    }
}

extension ObjectType: Codable {
    /// Decodes with an error that lists the allowed values, since a typo here is the commonest
    /// mistake in a hand-written spec.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let type = ObjectType(rawValue: text) else {
            let allowed = ObjectType.allCases.map(\.rawValue).joined(separator: ", ")
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "unknown type '\(text)'; expected one of \(allowed)"
            )
        }
        self = type
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
