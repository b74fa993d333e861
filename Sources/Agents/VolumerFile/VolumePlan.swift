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

    /// - Parameters:
    ///   - existing: what `qemu-img info` says about the volume's file, nil when there is none.
    /// - Throws: ``AgentFailure`` for what must be refused (shrinking, changing the source).
    static func decide(for volume: Object, existing: ImageInfo?) throws -> VolumePlan {
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
        let source = try volume.source.map { try sourcePath($0) }
        guard let existing else {
            return .create(bytes: size.bytes, source: source)
        }
        if let source, existing.backingFile != source {
            let now = existing.backingFile.map { "an overlay of \($0)" } ?? "a standalone image"
            throw AgentFailure("\(name) already exists as \(now); its source cannot change to \(source). "
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

    /// The image path of a `source` URL, or a failure saying what is wrong with it.
    static func sourcePath(_ source: String) throws -> String {
        guard let path = VolumeLocation.path(ofFileURL: source) else {
            throw AgentFailure("source '\(source)' is not a file:// URL with an absolute path, "
                + "such as file:///var/lib/n0core/images/debian.qcow2")
        }
        return path
    }
}
