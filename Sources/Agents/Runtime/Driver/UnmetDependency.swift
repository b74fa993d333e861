import Messages

/// A dependency an object cannot be applied without, not ready yet: the embedded `object`
/// lacks `missingField` (a volume's `url`, a network's `bridge`). The agent waits for a `Notify`
/// that brings it.
public struct UnmetDependency: Sendable, Hashable, CustomStringConvertible {
    /// The embedded object as the request carries it (with its `scheduled` agent, if any).
    public var object: Object
    /// The field that is missing, as written on the wire (`url`, `bridge`).
    public var missingField: String

    public init(object: Object, missingField: String) {
        self.object = object
        self.missingField = missingField
    }

    /// `network resource(8451da31-…)`, as the seed's messages name what was waited for.
    public var description: String {
        "\(object.type?.resourceNoun ?? "dependency") resource(\(object.id?.description ?? "?"))"
    }
}

extension ObjectType {
    /// One word for messages: `vm`, `volume`, `nic`, `network`, `agent`.
    var resourceNoun: String {
        switch self {
        case .vmKVM: "vm"
        case .volumeFile: "volume"
        case .nic: "nic"
        case .networkVLAN: "network"
        case .image: "image"
        case .agentComputeKVM, .agentVolumerFile, .agentPorterVLAN: "agent"
        }
    }
}
