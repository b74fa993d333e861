import Foundation

/// What a dnsmasq said, in its log, about reading a network's hosts file: the porter's proof
/// that the reservations it wrote are served, not only written.
///
/// dnsmasq re-reads `--dhcp-hostsfile` at start and on SIGHUP, after dropping to an
/// unprivileged user, and reports each read (dnsmasq 2.90):
///
///     Dec  2 08:45:09 dnsmasq-dhcp[5067]: read /…/dnsmasq.hosts
///     Dec  2 08:45:05 dnsmasq[5067]: cannot read /…/dnsmasq.hosts: Permission denied
///     Dec  2 08:45:09 dnsmasq[5067]: bad DHCP host name at line 3 of /…/dnsmasq.hosts
///
/// A line it could not use is reported before the `read` line of the same pass.
enum HostsFileReport: Sendable, Equatable {
    /// Read, every line used.
    case read
    /// Read, but these lines were refused (dnsmasq's own words).
    case readWithErrors([String])
    /// Not read at all; dnsmasq serves no reservation. The reason is the system's
    /// (`Permission denied`, `No such file or directory`).
    case unreadable(reason: String)

    /// The first complete report about `hostsFile` by dnsmasq `pid` in `text` (log lines
    /// written since the porter started or signalled it); nil while there is none yet.
    static func find(in text: String, hostsFile: String, pid: Int32) -> HostsFileReport? {
        var refused: [String] = []
        for line in text.split(whereSeparator: \.isNewline) {
            guard let message = message(of: line, pid: pid) else { continue }
            if message == "read \(hostsFile)" {
                return refused.isEmpty ? .read : .readWithErrors(refused)
            }
            if message.hasPrefix("cannot read \(hostsFile): ") {
                return .unreadable(reason: String(message.dropFirst("cannot read \(hostsFile): ".count)))
            }
            if message.hasSuffix(" of \(hostsFile)") {
                refused.append(String(message))
            }
        }
        return nil
    }

    /// The text after `dnsmasq[PID]: ` or `dnsmasq-dhcp[PID]: ` when the line is that process's.
    private static func message(of line: Substring, pid: Int32) -> Substring? {
        for tag in ["dnsmasq[\(pid)]: ", "dnsmasq-dhcp[\(pid)]: "] {
            if let range = line.range(of: tag) { return line[range.upperBound...] }
        }
        return nil
    }
}

/// A dnsmasq log file (`--log-facility=FILE`), read from a position on.
struct DnsmasqLogFile: Sendable {
    let path: String

    /// Where the next line will be written: remember it before starting or signalling dnsmasq.
    func end() -> UInt64 {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.uint64Value ?? 0
    }

    /// What was written from `offset` on (all of it when the file was truncated since).
    func text(from offset: UInt64) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { return "" }
        defer { try? handle.close() }
        let start = end() < offset ? 0 : offset
        do {
            try handle.seek(toOffset: start)
            return String(decoding: try handle.readToEnd() ?? Data(), as: UTF8.self)
        } catch {
            return ""
        }
    }
}
