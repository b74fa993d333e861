import Foundation

/// Whether another user can reach a file through its directories: dnsmasq drops to `nobody`
/// before it reads its hosts file, so every directory from `/` down to the file's needs the
/// search (`x`) permission for others. A state directory made under a umask of 077 (mode 0700)
/// lacks it, and dnsmasq then serves no reservation at all.
enum DirectorySearch {
    /// The directories from `/` down to the one holding `path`, e.g. `/`, `/var`, `/var/lib`
    /// for `/var/lib/file`.
    static func directories(above path: String) -> [String] {
        let parts = path.split(separator: "/").dropLast()
        var result = ["/"]
        var current = ""
        for part in parts {
            current += "/" + part
            result.append(current)
        }
        return result
    }

    /// The first directory above `path` that others cannot search, given each directory's
    /// mode (nil for one that cannot be looked at); nil when every one can be.
    static func firstBlocked(above path: String, mode: (String) -> mode_t?) -> String? {
        directories(above: path).first { directory in
            guard let mode = mode(directory) else { return true }
            return mode & S_IXOTH == 0
        }
    }

    /// The directory's permission bits from `stat`, nil when it cannot be looked at.
    static func mode(of path: String) -> mode_t? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return info.st_mode & 0o7777
    }

    /// Adds the search bit for others to `directory` (not the read bit: it still cannot be
    /// listed); true when it changed something.
    @discardableResult
    static func allowSearch(_ directory: String) -> Bool {
        guard let current = mode(of: directory), current & S_IXOTH == 0 else { return false }
        return chmod(directory, current | S_IXOTH) == 0
    }
}
