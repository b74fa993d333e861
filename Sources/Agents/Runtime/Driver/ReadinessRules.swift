import Messages

/// Which embedded dependencies must be filled in before an object can be applied (design §3,
/// step 5): a VM needs its volumes' `url` and its NICs' networks' `bridge`; a NIC needs its
/// network's `bridge`; a volume made from an image needs the image's `url` (it is fetched and
/// verified); networks and images need nothing. Objects being removed (or a NIC being
/// detached) wait for nothing: tearing down must never hang on another agent.
///
/// Pure, so every agent kind shares one answer and tests need no host.
public enum ReadinessRules {
    /// The default of ``AgentDriver/unmetDependencies(of:)``.
    public static func unmetDependencies(of object: Object) -> [UnmetDependency] {
        switch object.type {
        case .vmKVM where object.desiredState != "deleted":
            return object.dependencies(relation: Relation.vmAttachments).flatMap { attachment in
                let attached = attachment.object
                switch attached.type {
                case .volumeFile: return volumesWithoutURL([attached])
                case .nic: return networksWithoutBridge(of: attached)
                default: return []
                }
            }
        case .nic where !["deleted", "detached"].contains(object.desiredState ?? ""):
            return networksWithoutBridge(of: object)
        case .volumeFile where !["deleted", "destroyed"].contains(object.desiredState ?? ""):
            return object.dependencies(relation: Relation.volumeImage).map(\.object)
                .filter { $0.url == nil }
                .map { UnmetDependency(object: $0, missingField: "url") }
        default:
            return []
        }
    }

    /// The volumes among `volumes` that have no `url` yet.
    public static func volumesWithoutURL(_ volumes: [Object]) -> [UnmetDependency] {
        volumes.filter { $0.url == nil }.map { UnmetDependency(object: $0, missingField: "url") }
    }

    /// The networks `nic` is on that have no `bridge` yet.
    public static func networksWithoutBridge(of nic: Object) -> [UnmetDependency] {
        nic.dependencies(relation: Relation.portNetwork)
            .map(\.object)
            .filter { $0.bridge == nil }
            .map { UnmetDependency(object: $0, missingField: "bridge") }
    }
}
