import AgentRuntime
import Foundation

/// The `qemu-img` operations the volume agent needs, through a ``CommandRunner``.
struct QemuImage: Sendable {
    let runner: any CommandRunner
    let timeout: Duration

    /// What `qemu-img info` says about an image; `--force-share` so an image a running VM holds
    /// can still be inspected.
    func info(_ path: String) async throws -> ImageInfo {
        let result = try await runner.check(Command("qemu-img", ["info", "--output=json", "--force-share", path], timeout: timeout))
        do {
            return try JSONDecoder().decode(ImageInfo.self, from: Data(result.standardOutput.utf8))
        } catch {
            throw AgentFailure("qemu-img info \(path) printed something unexpected: \(error)")
        }
    }

    /// A new qcow2 image of `bytes` virtual size, optionally over a backing image.
    func create(_ path: String, bytes: UInt64, backing: (path: String, format: String)?) async throws {
        var arguments = ["create", "-q", "-f", "qcow2"]
        if let backing {
            arguments += ["-b", backing.path, "-F", backing.format]
        }
        arguments += [path, String(bytes)]
        try await runner.check(Command("qemu-img", arguments, timeout: timeout))
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
    /// The backing image as qemu resolved it (absolute), for overlays.
    var backingFile: String?

    enum CodingKeys: String, CodingKey {
        case virtualSize = "virtual-size"
        case format
        case fullBackingFilename = "full-backing-filename"
        case backingFilename = "backing-filename"
    }

    init(virtualSize: UInt64, format: String, backingFile: String? = nil) {
        self.virtualSize = virtualSize
        self.format = format
        self.backingFile = backingFile
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        virtualSize = try container.decode(UInt64.self, forKey: .virtualSize)
        format = try container.decode(String.self, forKey: .format)
        backingFile = try container.decodeIfPresent(String.self, forKey: .fullBackingFilename)
            ?? container.decodeIfPresent(String.self, forKey: .backingFilename)
    }
}
