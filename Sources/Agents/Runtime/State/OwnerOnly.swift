import Foundation

/// Files and directories readable by their owner only: what agents keep holds other tenants'
/// disks, console output and the objects they were asked for. The modes are set explicitly
/// (`open`/`mkdir` with the mode, then `fchmod`/`chmod`), so they hold whatever umask the agent
/// was started with; the units' `UMask=0077` covers what other programs create for them.
public enum OwnerOnly {
    public static let fileMode: mode_t = 0o600
    public static let directoryMode: mode_t = 0o700

    /// Creates `path` and any missing parent with `mode`; directories that exist keep theirs
    /// (an operator's or systemd's choice).
    public static func createDirectory(atPath path: String, mode: mode_t = directoryMode) throws {
        var missing: [String] = []
        var current = URL(fileURLWithPath: path).standardizedFileURL.path
        while !current.isEmpty, current != "/", !FileManager.default.fileExists(atPath: current) {
            missing.append(current)
            current = (current as NSString).deletingLastPathComponent
        }
        for directory in missing.reversed() {
            if mkdir(directory, mode) != 0 && errno != EEXIST {
                throw posixError(errno, directory)
            }
            if chmod(directory, mode) != 0 { throw posixError(errno, directory) }
        }
    }

    /// Opens `path` for writing, creating it with ``fileMode`` when it does not exist; with
    /// `exclusive`, a file already there is an error. The mode is applied even to a file that
    /// existed, so older files are tightened when rewritten.
    public static func openForWriting(_ path: String, exclusive: Bool = false, truncate: Bool = false) throws -> FileHandle {
        var flags = O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW
        if exclusive { flags |= O_EXCL }
        if truncate { flags |= O_TRUNC }
        let descriptor = open(path, flags, fileMode)
        guard descriptor >= 0 else { throw posixError(errno, path) }
        guard fchmod(descriptor, fileMode) == 0 else {
            let code = errno
            close(descriptor)
            throw posixError(code, path)
        }
        return FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    }

    /// A new file with `data`, mode ``fileMode``; fails if `path` exists.
    public static func createFile(atPath path: String, contents data: Data) throws {
        let handle = try openForWriting(path, exclusive: true)
        defer { try? handle.close() }
        try handle.write(contentsOf: data)
    }

    /// Sets ``fileMode`` on an existing file.
    public static func restrict(_ path: String) throws {
        guard chmod(path, fileMode) == 0 else { throw posixError(errno, path) }
    }

    /// The permission bits of `path`, nil when it cannot be read (for checks and tests).
    public static func mode(of path: String) -> mode_t? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return info.st_mode & 0o7777
    }

    static func posixError(_ code: Int32, _ path: String) -> CocoaError {
        CocoaError(.fileWriteUnknown, userInfo: [
            NSFilePathErrorKey: path,
            NSUnderlyingErrorKey: POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO),
            NSLocalizedDescriptionKey: "\(path): \(String(cString: strerror(code)))",
        ])
    }
}
