import AgentRuntime
import Configuration
import Foundation
import ServiceSupport

/// The volume agent's own settings.
///
/// | key | environment | default |
/// |---|---|---|
/// | `volumer.data_dir` | `N0CORE_VOLUMER_DATA_DIR` | `/var/lib/n0core/volumes` |
/// | `volumer.images_directory` | `N0CORE_VOLUMER_IMAGES_DIRECTORY` | `/var/lib/n0core/images` |
/// | `volumer.command_timeout_seconds` | `N0CORE_VOLUMER_COMMAND_TIMEOUT_SECONDS` | 60 |
/// | `volumer.image_max_size` | `N0CORE_VOLUMER_IMAGE_MAX_SIZE` | `16gb` |
/// | `volumer.image_fetch_timeout_seconds` | `N0CORE_VOLUMER_IMAGE_FETCH_TIMEOUT_SECONDS` | 240 |
public struct VolumerFileConfiguration: Sendable, Hashable {
    /// Where the volumes live, one qcow2 file per volume named by its id.
    public var dataDirectory: String
    /// The only place a volume's `source` image may come from.
    public var imagesDirectory: String
    /// Bound on each `qemu-img` run.
    public var commandTimeout: Duration
    /// Images (docs/images.md): the largest download accepted, and how long one may take.
    public var images = ImageFetchSettings()

    public init(dataDirectory: String, imagesDirectory: String = ImagesDirectory.defaultPath,
                commandTimeout: Duration = .seconds(60)) {
        self.dataDirectory = dataDirectory
        self.imagesDirectory = imagesDirectory
        self.commandTimeout = commandTimeout
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
        self.init(dataDirectory: directory, imagesDirectory: images, commandTimeout: .seconds(timeout))
        self.images = try ImageFetchSettings(reader: reader)
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
