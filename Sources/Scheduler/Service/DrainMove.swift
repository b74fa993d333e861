import Messages
import Store

/// A `Spec` the API sent when a host started draining (``Annotations/drainingHost``): what the
/// spec has on that host is placed again elsewhere, as a reschedule that avoids the host's agents.
///
/// Its file volumes are copied: the new volumer fetches the volume from the old one
/// (``VolumeCopySource``), which serves it once the old VM is gone (its removal is sent with
/// the move), and the old copy's removal waits until the new copy is applied
/// (``Store/DeferredRemoval``, released by the conductor). What cannot move stays, with a
/// `PINNED` event saying why.
struct DrainMove: Sendable {
    /// The host being drained.
    var host: ObjectID
    /// The volumers on the host that hold the moving volumes' data, and where they serve it.
    var volumeHolders: [ObjectID: VolumeHolder]

    /// The agent holding a volume's data, and its export base URL.
    struct VolumeHolder: Sendable, Hashable {
        var agentID: ObjectID
        var exportURL: String

        func source(of volume: ObjectID) -> VolumeCopySource {
            let base = exportURL.hasSuffix("/") ? String(exportURL.dropLast()) : exportURL
            return VolumeCopySource(agentID: agentID, url: "\(base)/volumes/\(volume)")
        }
    }

    /// Object types that move with their VM; networks follow their NICs by themselves.
    static let movableTypes: Set<ObjectType> = [.vmKVM, .volumeFile, .nic]

    /// Why the spec's objects on `host` cannot move, or nil when they can: the spec is pinned to
    /// the host, or a volume's volumer is not alive or does not export volumes.
    static func pinnedReason(
        constraints: SchedulingConstraints, host: ObjectID, volumes: [(volume: ObjectID, agent: RegisteredAgent?)]
    ) -> String? {
        if constraints.hostID == host {
            return "the spec is pinned to this host by \(Annotations.hostID)"
        }
        for (volume, agent) in volumes {
            guard let agent else { return "the volumer holding volume \(volume) is not registered" }
            guard agent.alive else { return "volumer \(agent.id), which holds volume \(volume), is not alive to copy it from" }
            guard agent.exportURL != nil else {
                return "volumer \(agent.id), which holds volume \(volume), does not export volumes "
                    + "(set volumer.export_listen, volumer.export_url and volumer.export_secret_file on it)"
            }
        }
        return nil
    }
}
