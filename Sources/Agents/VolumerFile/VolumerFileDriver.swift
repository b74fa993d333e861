import AgentRuntime
import Foundation
import Logging
import Messages

/// `resource/volume/file`: qcow2 files made with `qemu-img` in the data directory.
///
/// - `allocated`: the file `DATA_DIR/ID` exists with virtual size `size`; `url` is
///   `file:///DATA_DIR/ID`. A larger size on a later version grows it (`qemu-img resize`); a
///   smaller one is refused, since it would cut off the guest's data. With `source` (a
///   `file://` image) the volume is a copy-on-write overlay of that image, so a VM can boot
///   from a prepared disk; the image must stay where it is, and the volume's size must be at
///   least the image's.
/// - `deleted`: the file is removed (unlinked). Fast; its blocks return to the filesystem as
///   they are, so its data may still be read from the raw disk until overwritten.
/// - `destroyed`: the file is overwritten with zeros and flushed, then removed, so the guest's
///   data cannot be recovered from the host's free space (best effort on SSDs and copy-on-write
///   filesystems, which may keep old blocks). Slower: it writes as much as the file holds.
///
/// Idempotent throughout: a new file is built under a temporary name and renamed into place,
/// so the volume's own name only ever holds a complete image; a volume that already matches is
/// left alone and reported again; removing a missing file succeeds.
public struct VolumerFileDriver: AgentDriver {
    public let agentType = ObjectType.agentVolumerFile
    let location: VolumeLocation
    let qemuImage: QemuImage
    let logger: Logger

    public init(configuration: VolumerFileConfiguration, runner: any CommandRunner, logger: Logger) {
        location = VolumeLocation(dataDirectory: configuration.dataDirectory)
        qemuImage = QemuImage(runner: runner, timeout: configuration.commandTimeout)
        self.logger = logger
    }

    /// Creates the data directory and removes images a crash left half-made.
    public func prepare() async throws {
        let manager = FileManager.default
        do {
            try manager.createDirectory(atPath: location.dataDirectory, withIntermediateDirectories: true)
        } catch {
            throw AgentFailure("cannot create the volume data directory \(location.dataDirectory): "
                + "\(error.localizedDescription); set volumer.data_dir (N0CORE_VOLUMER_DATA_DIR) to a writable directory")
        }
        for name in try manager.contentsOfDirectory(atPath: location.dataDirectory)
        where name.hasPrefix(".") && name.hasSuffix(".creating") {
            logger.info("removing a volume left half-made by an interrupted request", metadata: ["file": "\(name)"])
            try? manager.removeItem(atPath: "\(location.dataDirectory)/\(name)")
        }
    }

    public func validate(_ object: Object) throws {
        guard object.desiredState == nil || object.desiredState == "allocated" else { return }
        guard let size = object.size else {
            throw AgentFailure("object.size is required for a resource/volume/file (e.g. size: 10gb)")
        }
        guard size.bytes > 0, size.bytes % 512 == 0 else {
            throw AgentFailure("object.size \(size) is not a positive multiple of 512 bytes, which qemu-img needs")
        }
        if let source = object.source {
            _ = try VolumePlan.sourcePath(source)
        }
    }

    public func apply(_ object: Object) async throws -> ApplyOutcome {
        guard let id = object.id else { throw AgentFailure("the volume has no id") }
        let path = location.path(of: id)
        let plan = try VolumePlan.decide(for: object, existing: try await existingImage(at: path, id: id))
        var result = object
        result.url = location.url(of: id)
        switch plan {
        case .keep:
            return ApplyOutcome(object: result)
        case .create(let bytes, let source):
            try await create(id: id, bytes: bytes, source: source)
            return ApplyOutcome(object: result)
        case .grow(let from, let to):
            try await qemuImage.resize(path, bytes: to)
            return ApplyOutcome(object: result, message: "Succeeded to grow resource from \(Size(bytes: from)) to \(Size(bytes: to)).")
        case .remove(let wipe):
            try? FileManager.default.removeItem(atPath: location.temporaryPath(of: id))
            if FileManager.default.fileExists(atPath: path) {
                if wipe { try FileWipe.overwriteWithZeros(path) }
                try FileManager.default.removeItem(atPath: path)
            }
            result.url = nil
            return ApplyOutcome(object: result)
        }
    }

    /// Free space of the data directory, rounded down to whole MiB.
    public func capacity() async throws -> Capacity? {
        let attributes = try FileManager.default.attributesOfFileSystem(forPath: location.dataDirectory)
        guard let free = (attributes[.systemFreeSize] as? NSNumber)?.uint64Value else {
            throw AgentFailure("cannot read the free space of \(location.dataDirectory)")
        }
        return Capacity(disk: Size(bytes: free - free % Size.Unit.mb.bytes))
    }

    /// Every volume file in the data directory, as `qemu-img info` sees it.
    public func inventory() async throws -> [Object] {
        var found: [Object] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: location.dataDirectory).sorted() {
            guard let id = location.volumeID(fileName: name) else { continue }
            var object = Object(type: .volumeFile, id: id, url: location.url(of: id))
            do {
                let info = try await qemuImage.info(location.path(of: id))
                object.size = Size(bytes: info.virtualSize)
                object.source = info.backingFile.map(VolumeLocation.fileURL)
            } catch {
                logger.warning("cannot inspect a volume file", metadata: ["id": "\(id)", "error": "\(error)"])
            }
            found.append(object)
        }
        return found
    }

    public func differences(held: Object, found: Object) -> [String] {
        var differences: [String] = []
        if let expected = held.size {
            if let actual = found.size {
                if actual != expected { differences.append("its virtual size is \(actual), applied as \(expected)") }
            } else {
                differences.append("qemu-img cannot read its file")
            }
        }
        if let source = held.source, found.size != nil, found.source != source {
            differences.append("its backing image is \(found.source ?? "none"), applied as \(source)")
        }
        return differences
    }

    // MARK: Steps

    /// The image at `path`, nil when there is none; a file qemu-img cannot read is refused, not
    /// replaced, since it may be someone's data.
    private func existingImage(at path: String, id: ObjectID) async throws -> ImageInfo? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do {
            return try await qemuImage.info(path)
        } catch let failure as CommandFailure {
            throw AgentFailure("\(path) exists but is not a readable image (\(failure)); move it away to let the "
                + "agent create volume \(id) again")
        }
    }

    private func create(id: ObjectID, bytes: UInt64, source: String?) async throws {
        var backing: (path: String, format: String)?
        if let source {
            guard FileManager.default.fileExists(atPath: source) else {
                throw AgentFailure("source image \(source) does not exist on this host; copy the image there first")
            }
            let image = try await qemuImage.info(source)
            guard bytes >= image.virtualSize else {
                throw AgentFailure("size \(Size(bytes: bytes)) is smaller than the source image's virtual size "
                    + "\(Size(bytes: image.virtualSize)); the guest would see a cut-off disk. Ask for at least "
                    + "\(Size(bytes: image.virtualSize))")
            }
            backing = (source, image.format)
        }
        let temporary = location.temporaryPath(of: id)
        try? FileManager.default.removeItem(atPath: temporary)
        do {
            try await qemuImage.create(temporary, bytes: bytes, backing: backing)
            try Task.checkCancellation()
            guard rename(temporary, location.path(of: id)) == 0 else {
                throw AgentFailure("cannot move the new volume into place at \(location.path(of: id)): "
                    + String(cString: strerror(errno)))
            }
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
    }
}
