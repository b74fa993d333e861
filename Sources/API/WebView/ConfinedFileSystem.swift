import Foundation
import Hummingbird
import Logging
import NIOPosix

/// Hummingbird's ``LocalFileSystem`` under one directory, answering only for files whose real
/// location (symbolic links followed) is inside it. `FileMiddleware` already refuses paths with
/// `..`; a link placed in the directory could still lead anywhere on the host.
struct ConfinedFileSystem: FileProvider {
    typealias FileAttributes = LocalFileSystem.FileAttributes
    typealias FileIdentifier = String

    /// The directory's real path.
    let root: String
    let files: LocalFileSystem

    init(directory: String, logger: Logger) {
        root = Self.realPath(directory) ?? directory
        files = LocalFileSystem(rootFolder: root, threadPool: .singleton, logger: logger)
    }

    /// The file's real path, or nil (404) when it does not exist or lies outside the directory.
    func getFileIdentifier(_ path: String) -> String? {
        guard let candidate = files.getFileIdentifier(path), let real = Self.realPath(candidate),
              real == root || real.hasPrefix(root.hasSuffix("/") ? root : root + "/") else { return nil }
        return real
    }

    func getAttributes(id: String) async throws -> FileAttributes? {
        try await files.getAttributes(id: id)
    }

    func loadFile(id: String, context: some RequestContext) async throws -> ResponseBody {
        try await files.loadFile(id: id, context: context)
    }

    func loadFile(id: String, range: ClosedRange<Int>, context: some RequestContext) async throws -> ResponseBody {
        try await files.loadFile(id: id, range: range, context: context)
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
