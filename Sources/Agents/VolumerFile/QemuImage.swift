import AgentRuntime
import Foundation

/// The `qemu-img` operations the volume agent needs, through a ``CommandRunner``.
struct QemuImage: Sendable {
    let runner: any CommandRunner
    let timeout: Duration

    /// What `qemu-img info` says about an image; `--force-share` so an image a running VM holds
    /// can still be inspected.
    /// With `format`, the image is opened as that format only, never probed.
    func info(_ path: String, format: String? = nil) async throws -> ImageInfo {
        let forced = format.map { ["-f", $0] } ?? []
        let result = try await runner.check(Command("qemu-img", ["info", "--output=json", "--force-share"] + forced + [path], timeout: timeout))
        do {
            return try JSONDecoder().decode(ImageInfo.self, from: Data(result.standardOutput.utf8))
        } catch {
            throw AgentFailure("qemu-img info \(path) printed something unexpected: \(error)")
        }
    }

    /// The image at `path` and every image under it (its backing file, that one's backing
    /// file …), top first, as qemu would open them.
    func chain(_ path: String, format: String? = nil) async throws -> [ImageInfo] {
        let forced = format.map { ["-f", $0] } ?? []
        let result = try await runner.check(Command(
            "qemu-img", ["info", "--backing-chain", "--output=json", "--force-share"] + forced + [path], timeout: timeout))
        do {
            return try JSONDecoder().decode([ImageInfo].self, from: Data(result.standardOutput.utf8))
        } catch {
            throw AgentFailure("qemu-img info --backing-chain \(path) printed something unexpected: \(error)")
        }
    }

    /// A new qcow2 image of `bytes` virtual size, optionally over a backing image. qemu-img
    /// keeps the mode of a file that is already there, so the caller creates it first with
    /// the mode it wants.
    func create(_ path: String, bytes: UInt64, backing: (path: String, format: String)?) async throws {
        var arguments = ["create", "-q", "-f", "qcow2"]
        if let backing {
            arguments += ["-b", backing.path, "-F", backing.format]
        }
        arguments += [path, String(bytes)]
        try await runner.check(Command("qemu-img", arguments, timeout: timeout))
    }

    /// Whether a running QEMU holds the image: `qemu-img info` without `--force-share` asks for
    /// the shared locks a reader needs, which QEMU refuses while it writes the image ("Failed to
    /// get shared "write" lock"). Another failure (not an image, unreadable) is thrown. For a
    /// moment it holds those locks itself: a QEMU opening the image just then would fail to.
    func isLocked(_ path: String) async throws -> Bool {
        let command = Command("qemu-img", ["info", "--output=json", "-f", "qcow2", path], timeout: timeout)
        let result = try await runner.run(command)
        if result.status == 0 { return false }
        if result.standardError.lowercased().contains("lock") { return true }
        throw CommandFailure.failed(command: command, status: result.status, standardError: result.standardError)
    }

    /// Points a qcow2 image at another backing file without reading either (`rebase -u`): for a
    /// copied volume, whose backing image is the same image under this host's path.
    func rebaseUnsafe(_ path: String, backing: (path: String, format: String)) async throws {
        try await runner.check(Command(
            "qemu-img", ["rebase", "-q", "-u", "-f", "qcow2", "-b", backing.path, "-F", backing.format, path], timeout: timeout))
    }

    /// Grows the image to `bytes` virtual size.
    func resize(_ path: String, bytes: UInt64) async throws {
        try await runner.check(Command("qemu-img", ["resize", "-q", "-f", "qcow2", path, String(bytes)], timeout: timeout))
    }
}

/// The fields of `qemu-img info --output=json` the agent uses.
struct ImageInfo: Sendable, Hashable, Decodable {
    var virtualSize: UInt64
    var format: String
    /// The image's file as qemu opened it (in a backing chain, the backing file's full path).
    var filename: String?
    /// The backing image as qemu resolved it (absolute), for overlays.
    var backingFile: String?
    /// A qcow2 image's external data file (`-o data_file=…`), which holds its guest data.
    var dataFile: String?

    enum CodingKeys: String, CodingKey {
        case virtualSize = "virtual-size"
        case format
        case filename
        case fullBackingFilename = "full-backing-filename"
        case backingFilename = "backing-filename"
        case formatSpecific = "format-specific"
    }

    enum FormatSpecificKeys: String, CodingKey {
        case data
    }

    enum DataKeys: String, CodingKey {
        case dataFile = "data-file"
    }

    init(virtualSize: UInt64, format: String, filename: String? = nil, backingFile: String? = nil, dataFile: String? = nil) {
        self.virtualSize = virtualSize
        self.format = format
        self.filename = filename
        self.backingFile = backingFile
        self.dataFile = dataFile
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        virtualSize = try container.decode(UInt64.self, forKey: .virtualSize)
        format = try container.decode(String.self, forKey: .format)
        filename = try container.decodeIfPresent(String.self, forKey: .filename)
        backingFile = try container.decodeIfPresent(String.self, forKey: .fullBackingFilename)
            ?? container.decodeIfPresent(String.self, forKey: .backingFilename)
        // Only qcow2 has a data file; other formats' details are not read.
        if let specific = try? container.nestedContainer(keyedBy: FormatSpecificKeys.self, forKey: .formatSpecific),
           let data = try? specific.nestedContainer(keyedBy: DataKeys.self, forKey: .data) {
            dataFile = try data.decodeIfPresent(String.self, forKey: .dataFile)
        }
    }
}
