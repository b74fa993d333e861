import Foundation
import Messages

/// A hypervisor's images directory (`volumer.images_directory`, `compute.images_directory`): the
/// one place volumes' sources and VMs' kernels and initrds come from. The operator puts images
/// there; users name them (``Messages/ImageName``), and a name is resolved with `realpath`, so a
/// symbolic link is followed to where it really leads and refused when that is outside the
/// directory. Only regular files are images (no devices, FIFOs or directories).
///
/// The real path is what the agent hands to qemu-img or libvirt, so what was checked is what is
/// opened, not a link that could be pointed elsewhere afterwards.
public struct ImagesDirectory: Sendable, Hashable {
    public static let defaultPath = "/var/lib/n0core/images"

    /// As configured: absolute.
    public let path: String
    /// The setting that names it, for messages (`volumer.images_directory`).
    public let configurationKey: String

    public init(path: String, configurationKey: String) {
        self.path = path
        self.configurationKey = configurationKey
    }

    /// The real path of image `name`, a regular file inside the directory.
    /// - Parameter field: the object's field that named it (`source`, `kernel`), for messages.
    /// - Throws: ``AgentFailure`` saying why the image cannot be used; the message never shows
    ///   where a link outside the directory leads.
    public func resolve(_ name: ImageName, field: String) throws -> String {
        let root = try realRoot()
        let real: String
        switch Self.realPath(root + "/" + name.rawValue) {
        case .success(let path):
            real = path
        case .failure(let code) where code == ENOENT || code == ENOTDIR:
            throw AgentFailure("\(field) \(name): there is no such image in this hypervisor's images directory \(path) "
                + "(\(configurationKey)); the operator puts images there")
        case .failure(let code):
            throw AgentFailure("\(field) \(name): the image in \(path) cannot be resolved: \(Self.reason(code))")
        }
        guard Self.isInside(real, root: root) else {
            throw AgentFailure("\(field) \(name) leads out of this hypervisor's images directory \(path) (a symbolic "
                + "link to a file elsewhere), so it is refused; only files inside the directory are images")
        }
        guard Self.isRegularFile(real) else {
            throw AgentFailure("\(field) \(name) in \(path) is not a regular file, so it is not an image")
        }
        return real
    }

    /// Whether `path` (absolute, e.g. a backing file qemu-img reports) really lies inside the
    /// directory and is a regular file; false when it cannot be resolved.
    public func holds(_ path: String) -> Bool {
        guard path.hasPrefix("/"), let root = try? realRoot(), case .success(let real) = Self.realPath(path) else {
            return false
        }
        return Self.isInside(real, root: root) && Self.isRegularFile(real)
    }

    /// The name of `path` relative to the directory when it lies inside (for what an agent
    /// finds on its host); nil otherwise.
    public func name(of path: String) -> String? {
        guard let root = try? realRoot(), case .success(let real) = Self.realPath(path),
              Self.isInside(real, root: root) else { return nil }
        return String(real.dropFirst(root == "/" ? 1 : root.count + 1))
    }

    /// The directory's own real path.
    /// - Throws: ``AgentFailure`` when it does not exist or cannot be read.
    public func realRoot() throws -> String {
        switch Self.realPath(path) {
        case .success(let root): return root
        case .failure(let code):
            throw AgentFailure("the images directory \(path) (\(configurationKey)) cannot be used on this hypervisor: "
                + "\(Self.reason(code)); the operator creates it and puts images there")
        }
    }

    /// Whether `real` lies strictly below `root`, both real paths. Pure.
    public static func isInside(_ real: String, root: String) -> Bool {
        let prefix = root.hasSuffix("/") ? root : root + "/"
        return real.hasPrefix(prefix) && real.count > prefix.count
    }

    /// `realpath(3)`: the path with every symbolic link, `.` and `..` resolved, or the errno.
    static func realPath(_ path: String) -> RealPath {
        guard let resolved = realpath(path, nil) else { return .failure(errno) }
        defer { free(resolved) }
        return .success(String(cString: resolved))
    }

    enum RealPath {
        case success(String)
        case failure(Int32)
    }

    static func isRegularFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    static func reason(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}
