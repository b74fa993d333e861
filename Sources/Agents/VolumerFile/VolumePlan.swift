import AgentRuntime
import Messages

/// What to do to make a volume's file match its desired state: decided from the requested
/// object and what is on disk, without touching anything, so every case is unit-tested.
enum VolumePlan: Sendable, Hashable {
    /// No file yet: make one of `bytes`, over the backing image at `source` when given.
    case create(bytes: UInt64, source: String?)
    /// The file is already as asked.
    case keep
    /// The file is smaller than asked: grow it.
    case grow(from: UInt64, to: UInt64)
    /// `deleted`/`destroyed`: remove the file (after overwriting it when `wipe`).
    case remove(wipe: Bool)

    /// Whether `volume` is being removed, which needs neither its size nor its source.
    static func isRemoval(_ volume: Object) -> Bool {
        ["deleted", "destroyed"].contains(volume.desiredState ?? "allocated")
    }

    /// - Parameters:
    ///   - existing: what `qemu-img info` says about the volume's file, nil when there is none.
    ///   - source: the real path of the volume's source image in the images directory
    ///     (``AgentRuntime/ImagesDirectory/resolve(_:field:)``), nil without one.
    /// - Throws: ``AgentFailure`` for what must be refused (shrinking, changing the source).
    static func decide(for volume: Object, existing: ImageInfo?, source: String?) throws -> VolumePlan {
        let name = "volume \(volume.id?.description ?? "?")"
        switch volume.desiredState ?? "allocated" {
        case "deleted":
            return .remove(wipe: false)
        case "destroyed":
            return .remove(wipe: true)
        default:
            break
        }
        guard let size = volume.size else {
            throw AgentFailure("\(name) has no size; a resource/volume/file needs one, e.g. size: 10gb")
        }
        guard let existing else {
            return .create(bytes: size.bytes, source: source)
        }
        if let source, existing.backingFile != source {
            let now = existing.backingFile == nil ? "a standalone image" : "an overlay of another image"
            throw AgentFailure("\(name) already exists as \(now); its source cannot change to \(volume.source ?? source). "
                + "Create a new volume for the new source")
        }
        if existing.virtualSize == size.bytes {
            return .keep
        }
        if existing.virtualSize < size.bytes {
            return .grow(from: existing.virtualSize, to: size.bytes)
        }
        throw AgentFailure("\(name) is \(Size(bytes: existing.virtualSize)); shrinking it to \(size) is refused "
            + "because it would destroy the data past \(size). Keep size: \(Size(bytes: existing.virtualSize)) "
            + "or create a new volume")
    }
}
