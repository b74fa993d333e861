import AgentRuntime
import Configuration
import Foundation
import Messages
import ServiceSupport

/// The volume agent's own settings.
///
/// | key | environment | default |
/// |---|---|---|
/// | `volumer.data_dir` | `N0CORE_VOLUMER_DATA_DIR` | `/var/lib/n0core/volumes` |
/// | `volumer.images_directory` | `N0CORE_VOLUMER_IMAGES_DIRECTORY` | `/var/lib/n0core/images` |
/// | `volumer.command_timeout_seconds` | `N0CORE_VOLUMER_COMMAND_TIMEOUT_SECONDS` | 60 |
/// | `volumer.disk_allocation_ratio` | `N0CORE_VOLUMER_DISK_ALLOCATION_RATIO` | 1.0 |
/// | `volumer.reserved_disk` | `N0CORE_VOLUMER_RESERVED_DISK` | `0b` |
/// | `volumer.image_max_size` | `N0CORE_VOLUMER_IMAGE_MAX_SIZE` | `16gb` |
/// | `volumer.image_fetch_timeout_seconds` | `N0CORE_VOLUMER_IMAGE_FETCH_TIMEOUT_SECONDS` | 240 |
/// | `volumer.export_listen` | `N0CORE_VOLUMER_EXPORT_LISTEN` | unset: no export server |
/// | `volumer.export_url` | `N0CORE_VOLUMER_EXPORT_URL` | unset; required with `export_listen` |
/// | `volumer.export_secret_file` | `N0CORE_VOLUMER_EXPORT_SECRET_FILE` | unset: no export, no copy |
/// | `volumer.copy_timeout_seconds` | `N0CORE_VOLUMER_COPY_TIMEOUT_SECONDS` | 240 |
///
/// The heartbeat's disk is the data directory's free space less `reserved_disk`, times
/// `disk_allocation_ratio` (above 1 counts on qcow2 files staying smaller than their size).
public struct VolumerFileConfiguration: Sendable, Hashable {
    /// Where the volumes live, one qcow2 file per volume named by its id.
    public var dataDirectory: String
    /// The only place a volume's `source` image may come from.
    public var imagesDirectory: String
    /// Bound on each `qemu-img` run.
    public var commandTimeout: Duration
    /// What the data directory offers the scheduler of its free space (ratio and reservation).
    public var allocation: Allocation
    /// Images (docs/images.md): the largest download accepted, and how long one may take.
    public var images = ImageFetchSettings()
    /// Copying volumes between volumers (docs/volume-copy.md): the export server and the import.
    public var export = VolumeExportSettings()

    public init(dataDirectory: String, imagesDirectory: String = ImagesDirectory.defaultPath,
                commandTimeout: Duration = .seconds(60), allocation: Allocation = .physical) {
        self.dataDirectory = dataDirectory
        self.imagesDirectory = imagesDirectory
        self.commandTimeout = commandTimeout
        self.allocation = allocation
    }

    /// - Throws: ``ConfigurationError`` naming a key whose value is not usable.
    public init(reader: ConfigReader) throws {
        let directory = reader.string(forKey: "volumer.data_dir", default: "/var/lib/n0core/volumes")
        guard directory.hasPrefix("/") else {
            throw ConfigurationError.invalid(key: "volumer.data_dir", value: directory, expected: "an absolute path")
        }
        let images = reader.string(forKey: "volumer.images_directory", default: ImagesDirectory.defaultPath)
        if let expected = Self.problem(imagesDirectory: images, dataDirectory: directory) {
            throw ConfigurationError.invalid(key: "volumer.images_directory", value: images, expected: expected)
        }
        let timeout = reader.int(forKey: "volumer.command_timeout_seconds", default: 60)
        guard timeout > 0 else {
            throw ConfigurationError.invalid(key: "volumer.command_timeout_seconds", value: "\(timeout)",
                                             expected: "a positive number of seconds")
        }
        let allocation = Allocation(
            diskRatio: try reader.bounded("volumer.disk_allocation_ratio", default: 1,
                                          above: Allocation.ratioFloor, atMost: Allocation.ratioLimit),
            reservedDisk: try reader.bounded("volumer.reserved_disk", default: Size(bytes: 0), in: Capacity.diskBounds))
        self.init(dataDirectory: directory, imagesDirectory: images, commandTimeout: .seconds(timeout),
                  allocation: allocation)
        self.images = try ImageFetchSettings(reader: reader)
        self.export = try VolumeExportSettings(reader: reader)
    }

    /// What is wrong with an images directory beside `dataDirectory`, as the configuration
    /// error's "expected"; nil when nothing is. The two must not overlap: images inside the data
    /// directory would make every tenant's volume a source anyone could name, and volumes inside
    /// the images directory likewise.
    static func problem(imagesDirectory images: String, dataDirectory: String) -> String? {
        guard images.hasPrefix("/") else { return "an absolute path" }
        let imagesPath = URL(fileURLWithPath: images).standardizedFileURL.path
        let dataPath = URL(fileURLWithPath: dataDirectory).standardizedFileURL.path
        guard imagesPath != "/" else { return "a directory of images, not the root of the file system" }
        func within(_ inner: String, _ outer: String) -> Bool {
            inner == outer || inner.hasPrefix(outer == "/" ? "/" : outer + "/")
        }
        if within(imagesPath, dataPath) || within(dataPath, imagesPath) {
            return "a directory apart from volumer.data_dir (\(dataDirectory)): neither may contain the other"
        }
        return nil
    }
}
