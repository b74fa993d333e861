import AgentRuntime
import Foundation
import Logging
import Messages

/// `resource/volume/file`: qcow2 files made with `qemu-img` in the data directory.
///
/// - `allocated`: the file `DATA_DIR/ID` exists with virtual size `size`; `url` is
///   `file:///DATA_DIR/ID`. A larger size on a later version grows it (`qemu-img resize`); a
///   smaller one is refused, since it would cut off the guest's data. With `source` (the name of
///   an image in the images directory) the volume is a copy-on-write overlay of that image, so a
///   VM can boot from a prepared disk; the image, and every backing file under it, must really
///   lie in the images directory (``AgentRuntime/ImagesDirectory``, ``SourceImage``), must stay
///   where it is, and the volume's size must be at least the image's.
///   A volume moved off a draining host (`Request.copy_from`) is made as a copy of the old
///   volumer's file instead of empty (``VolumerFileDriver+Copy``, docs/volume-copy.md).
///
/// Volume files are their owner's only (0600, ``AgentRuntime/OwnerOnly``), created so before
/// qemu-img writes into them; libvirt hands a running guest's disk to QEMU's user.
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
    /// The disk ratio and reservation applied to the free space reported (`volumer.*`).
    let allocation: Allocation
    let images: ImagesDirectory
    let qemuImage: QemuImage
    let logger: Logger
    /// Images (``VolumerFileDriver+Images``): how they are downloaded, within what bounds, and
    /// one download per checksum at a time.
    let fetcher: any ImageFetcher
    let fetchSettings: ImageFetchSettings
    let fetchLocks = KeyedLock<String>()
    /// Copying volumes between volumers (``VolumerFileDriver+Copy``): the shared secret, the
    /// URL announced, how long a copy may take.
    let export: VolumeExportSettings

    /// The data directory's mode when the agent makes it: QEMU may run as another user
    /// (libvirt-qemu) and must pass through it to open a disk; listing stays the owner's, and
    /// every file in it is 0600.
    static let dataDirectoryMode: mode_t = 0o711

    public init(configuration: VolumerFileConfiguration, runner: any CommandRunner, logger: Logger) {
        self.init(configuration: configuration, runner: runner, fetcher: HTTPImageFetcher(), logger: logger)
    }

    init(configuration: VolumerFileConfiguration, runner: any CommandRunner, fetcher: any ImageFetcher, logger: Logger) {
        location = VolumeLocation(dataDirectory: configuration.dataDirectory)
        images = ImagesDirectory(path: configuration.imagesDirectory, configurationKey: "volumer.images_directory")
        qemuImage = QemuImage(runner: runner, timeout: configuration.commandTimeout)
        allocation = configuration.allocation
        self.fetcher = fetcher
        fetchSettings = configuration.images
        export = configuration.export
        self.logger = logger
    }

    /// Creates the data directory, removes images a crash left half-made, makes volume files
    /// of older versions their owner's only, and refuses an images directory that overlaps the
    /// data directory once symbolic links are followed.
    public func prepare() async throws {
        let manager = FileManager.default
        do {
            try OwnerOnly.createDirectory(atPath: location.dataDirectory, mode: Self.dataDirectoryMode)
        } catch {
            throw AgentFailure("cannot create the volume data directory \(location.dataDirectory): "
                + "\(error.localizedDescription); set volumer.data_dir (N0CORE_VOLUMER_DATA_DIR) to a writable directory")
        }
        if let root = try? images.realRoot() {
            let data = URL(fileURLWithPath: location.dataDirectory).resolvingSymlinksInPath().path
            if ImagesDirectory.isInside(data, root: root) || ImagesDirectory.isInside(root, root: data) || data == root {
                throw AgentFailure("the images directory \(images.path) and the volume data directory "
                    + "\(location.dataDirectory) overlap; volumes would become images anyone could name. Set "
                    + "volumer.images_directory and volumer.data_dir to directories apart")
            }
        } else {
            logger.warning("the images directory does not exist; volumes with a source are refused until it does",
                           metadata: ["images_directory": "\(images.path)"])
        }
        var restricted = 0
        for name in try manager.contentsOfDirectory(atPath: location.dataDirectory) {
            let path = "\(location.dataDirectory)/\(name)"
            if name.hasPrefix(".") && name.hasSuffix(".creating") {
                logger.info("removing a volume left half-made by an interrupted request", metadata: ["file": "\(name)"])
                try? manager.removeItem(atPath: path)
            } else if location.volumeID(fileName: name) != nil, let mode = OwnerOnly.mode(of: path),
                      mode & 0o077 != 0, (try? OwnerOnly.restrict(path)) != nil {
                restricted += 1
            }
        }
        if restricted > 0 {
            logger.notice("made volume files readable by their owner only (0600)", metadata: ["files": "\(restricted)"])
        }
        removePartialDownloads()
    }

    public func validate(_ object: Object) throws {
        if object.type == .image {
            if object.desiredState != "deleted" { _ = try ImageVerification.fields(of: object) }
            return
        }
        guard object.desiredState == nil || object.desiredState == "allocated" else { return }
        guard let size = object.size else {
            throw AgentFailure("object.size is required for a resource/volume/file (e.g. size: 10gb)")
        }
        guard size.bytes > 0, size.bytes % 512 == 0 else {
            throw AgentFailure("object.size \(size) is not a positive multiple of 512 bytes, which qemu-img needs")
        }
        _ = try sourceName(of: object)
    }

    public func apply(_ object: Object) async throws -> ApplyOutcome {
        try await apply(object, copyingFrom: nil)
    }

    /// ``apply(_:)``; with `copySource`, a volume that is not on this host yet is made as a copy
    /// of the one another volumer holds (``VolumerFileDriver+Copy``). A volume already here (a
    /// redelivery after the copy) is kept or grown as usual, and a removal ignores `copySource`.
    public func apply(_ object: Object, copyingFrom copySource: VolumeCopySource?) async throws -> ApplyOutcome {
        if object.type == .image { return try await applyImage(object) }
        guard let id = object.id else { throw AgentFailure("the volume has no id") }
        let path = location.path(of: id)
        let existing = try await existingImage(at: path, id: id)
        // A volume being removed needs no image: its source may be long gone.
        let name = VolumePlan.isRemoval(object) ? nil : try sourceName(of: object)
        let imageObject = VolumePlan.isRemoval(object) ? nil
            : object.dependencies(relation: Relation.volumeImage).first?.object
        // A volume made from a resource/image backs onto the image's file on this host, fetched
        // and verified here if this host has not got it yet.
        var image: LocalImage?
        if let imageObject { image = try await localImage(imageObject) }
        let source = try image?.path ?? name.map { try images.resolve($0, field: "source") }
        let plan = try VolumePlan.decide(for: object, existing: existing, source: source)
        var result = object
        result.url = location.url(of: id)
        switch plan {
        case .keep:
            return ApplyOutcome(object: result)
        case .create(let bytes, let sourcePath):
            let backingFile = if let image { try image.backing(for: bytes) } else { try await backing(sourcePath, name: name, bytes: bytes) }
            if let copySource {
                try await copy(id: id, bytes: bytes, backing: backingFile, from: copySource)
                return ApplyOutcome(object: result, message: "Succeeded to create resource as a copy of the volume on agent "
                    + "\(copySource.agentID).")
            }
            try await create(id: id, bytes: bytes, backing: backingFile)
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

    /// The export server's base URL while it serves (`volumer.export_url`), for the scheduler to
    /// find this volumer when it moves a volume off this host.
    public var announcedURL: String? { export.announcedURL }

    /// Free space of the data directory, rounded down to whole MiB.
    public func capacity() async throws -> Capacity? {
        let attributes = try FileManager.default.attributesOfFileSystem(forPath: location.dataDirectory)
        guard let free = (attributes[.systemFreeSize] as? NSNumber)?.uint64Value else {
            throw AgentFailure("cannot read the free space of \(location.dataDirectory)")
        }
        return allocation.allocatable(Capacity(disk: Size(bytes: free - free % Size.Unit.mb.bytes)))
    }

    /// Every volume file in the data directory, as `qemu-img info` sees it, and the images this
    /// volumer holds.
    public func inventory() async throws -> [Object] {
        var found: [Object] = imageInventory()
        for name in try FileManager.default.contentsOfDirectory(atPath: location.dataDirectory).sorted() {
            guard let id = location.volumeID(fileName: name) else { continue }
            var object = Object(type: .volumeFile, id: id, url: location.url(of: id))
            do {
                let info = try await qemuImage.info(location.path(of: id))
                object.size = Size(bytes: info.virtualSize)
                // An image of the images directory by its name, as requests give it; any
                // other backing file (of a volume made before images had a directory) as a URL.
                object.source = info.backingFile.map { images.name(of: $0) ?? VolumeLocation.fileURL($0) }
            } catch {
                logger.warning("cannot inspect a volume file", metadata: ["id": "\(id)", "error": "\(error)"])
            }
            found.append(object)
        }
        return found
    }

    public func differences(held: Object, found: Object) -> [String] {
        if held.type == .image {
            return held.desiredState != "deleted" && found.url == nil
                ? ["its file is gone from the images directory \(images.path)"] : []
        }
        var differences: [String] = []
        if let expected = held.size {
            if let actual = found.size {
                if actual != expected { differences.append("its virtual size is \(actual), applied as \(expected)") }
            } else {
                differences.append("qemu-img cannot read its file")
            }
        }
        if let source = held.source, found.size != nil {
            // Compared as the images directory resolves the name now, so an image reached
            // through a symbolic link matches the file the link leads to.
            let expected = (try? ImageName(validating: source))
                .flatMap { try? images.resolve($0, field: "source") }
                .flatMap(images.name(of:)) ?? source
            if found.source != expected {
                differences.append("its backing image is \(found.source ?? "none"), applied as \(source)")
            }
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

    /// The volume's `source` as an image name; nil without one.
    private func sourceName(of volume: Object) throws -> ImageName? {
        guard let source = volume.source else { return nil }
        do {
            return try ImageName(validating: source)
        } catch {
            throw AgentFailure("object.source \(error.message)")
        }
    }

    /// The backing image of a new volume: the source's real path and format, once its whole
    /// backing chain is inside the images directory and the volume is at least as large.
    private func backing(_ source: String?, name: ImageName?, bytes: UInt64) async throws -> (path: String, format: String)? {
        guard let source, let name else { return nil }
        let image = try SourceImage.check(try await qemuImage.chain(source), name: name, holds: images.holds)
        guard bytes >= image.virtualSize else {
            throw AgentFailure("size \(Size(bytes: bytes)) is smaller than the source image's virtual size "
                + "\(Size(bytes: image.virtualSize)); the guest would see a cut-off disk. Ask for at least "
                + "\(Size(bytes: image.virtualSize))")
        }
        return (source, image.format)
    }

    /// Builds the volume under a temporary name, created 0600 before qemu-img writes into it
    /// (qemu-img keeps the mode of a file that exists), then renames it into place.
    private func create(id: ObjectID, bytes: UInt64, backing: (path: String, format: String)?) async throws {
        let temporary = location.temporaryPath(of: id)
        try? FileManager.default.removeItem(atPath: temporary)
        do {
            try OwnerOnly.createFile(atPath: temporary, contents: Data())
            try await qemuImage.create(temporary, bytes: bytes, backing: backing)
            try OwnerOnly.restrict(temporary)
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
