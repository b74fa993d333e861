import Configuration
import ServiceSupport

/// The volume agent's own settings.
///
/// | key | environment | default |
/// |---|---|---|
/// | `volumer.data_dir` | `N0CORE_VOLUMER_DATA_DIR` | `/var/lib/n0core/volumes` |
/// | `volumer.command_timeout_seconds` | `N0CORE_VOLUMER_COMMAND_TIMEOUT_SECONDS` | 60 |
public struct VolumerFileConfiguration: Sendable, Hashable {
    /// Where the volumes live, one qcow2 file per volume named by its id.
    public var dataDirectory: String
    /// Bound on each `qemu-img` run.
    public var commandTimeout: Duration

    public init(dataDirectory: String, commandTimeout: Duration = .seconds(60)) {
        self.dataDirectory = dataDirectory
        self.commandTimeout = commandTimeout
    }

    /// - Throws: ``ConfigurationError`` naming a key whose value is not usable.
    public init(reader: ConfigReader) throws {
        let directory = reader.string(forKey: "volumer.data_dir", default: "/var/lib/n0core/volumes")
        guard directory.hasPrefix("/") else {
            throw ConfigurationError.invalid(key: "volumer.data_dir", value: directory, expected: "an absolute path")
        }
        let timeout = reader.int(forKey: "volumer.command_timeout_seconds", default: 60)
        guard timeout > 0 else {
            throw ConfigurationError.invalid(key: "volumer.command_timeout_seconds", value: "\(timeout)",
                                             expected: "a positive number of seconds")
        }
        self.init(dataDirectory: directory, commandTimeout: .seconds(timeout))
    }
}
