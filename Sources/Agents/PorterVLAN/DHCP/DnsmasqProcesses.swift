import Foundation
import Logging

/// The dnsmasq processes of this porter, found through `/proc` and signalled directly.
///
/// They are found by their command line, not only by pid file: a dnsmasq belongs to a network
/// when its `--pid-file` is that network's, a path under this agent's state directory and so
/// unique to it. That survives a lost or stale pid file, and works wherever the porter's
/// commands run (through `ip netns exec` too): no PID namespace is involved, so `/proc` shows
/// every process and `kill` reaches it. A zombie (a dnsmasq that exited but was not reaped by
/// its parent, init) has an empty command line and so is never found.
struct DnsmasqProcesses: Sendable {
    let logger: Logger
    var procDirectory = "/proc"

    struct Running: Sendable, Hashable {
        var pid: Int32
        var arguments: [String]
        /// The value of `--pid-file`.
        var pidFile: String
    }

    /// Every dnsmasq whose pid file lies under `directory`.
    func all(under directory: String) -> [Running] {
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        return scan().filter { $0.pidFile.hasPrefix(prefix) }
    }

    /// The dnsmasqs writing `pidFile` (normally one).
    func running(pidFile: String) -> [Running] {
        scan().filter { $0.pidFile == pidFile }
    }

    /// SIGHUP: dnsmasq re-reads its hosts file, keeping its leases.
    func reload(_ process: Running) {
        logger.debug("sending SIGHUP to dnsmasq", metadata: ["pid": "\(process.pid)", "pid_file": "\(process.pidFile)"])
        if kill(process.pid, SIGHUP) != 0 {
            logger.debug("dnsmasq was already gone", metadata: ["pid": "\(process.pid)"])
        }
    }

    /// SIGTERM, and SIGKILL if it is still there after `grace`; returns once it is gone (or,
    /// should even SIGKILL not end it, after another `grace`).
    func stop(_ process: Running, grace: Duration = .seconds(3)) async {
        logger.debug("stopping dnsmasq", metadata: ["pid": "\(process.pid)", "pid_file": "\(process.pidFile)"])
        guard kill(process.pid, SIGTERM) == 0 else { return }
        guard await stillAlive(process, after: grace) else { return }
        logger.warning("dnsmasq ignored SIGTERM; killing it", metadata: ["pid": "\(process.pid)"])
        kill(process.pid, SIGKILL)
        if await stillAlive(process, after: grace) {
            logger.error("dnsmasq survived SIGKILL", metadata: ["pid": "\(process.pid)"])
        }
    }

    /// Waits up to `limit` for `process` to end; whether it is still alive then.
    private func stillAlive(_ process: Running, after limit: Duration) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while isAlive(process), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        return isAlive(process)
    }

    /// The name of the user `process` runs as (its effective uid): dnsmasq drops to one after
    /// starting, and that user must be able to read the hosts file.
    func user(of process: Running) -> String? {
        guard let data = FileManager.default.contents(atPath: "\(procDirectory)/\(process.pid)/status") else { return nil }
        let line = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).first { $0.hasPrefix("Uid:") }
        guard let fields = line?.split(whereSeparator: \.isWhitespace), fields.count > 2, let uid = uid_t(fields[2]) else {
            return nil
        }
        guard let entry = getpwuid(uid), let name = entry.pointee.pw_name else { return "uid \(uid)" }
        return String(cString: name)
    }

    /// Still running as that same dnsmasq (not exited, not a zombie, not a reused pid).
    func isAlive(_ process: Running) -> Bool {
        arguments(of: process.pid).map { Array($0.dropFirst()) } == process.arguments
    }

    private static let name = "dnsmasq"

    private func scan() -> [Running] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: procDirectory)) ?? []
        return entries.compactMap { entry -> Running? in
            guard let pid = Int32(entry), let command = arguments(of: pid), let first = command.first,
                  (first as NSString).lastPathComponent == Self.name
            else { return nil }
            let arguments = Array(command.dropFirst())
            guard let pidFile = arguments.last(where: { $0.hasPrefix("--pid-file=") })?.dropFirst("--pid-file=".count)
            else { return nil }
            return Running(pid: pid, arguments: arguments, pidFile: String(pidFile))
        }.sorted { $0.pid < $1.pid }
    }

    /// The command line of `pid`, nil when there is no such process or it is a zombie.
    private func arguments(of pid: Int32) -> [String]? {
        guard let data = FileManager.default.contents(atPath: "\(procDirectory)/\(pid)/cmdline"), !data.isEmpty else {
            return nil
        }
        return data.split(separator: 0, omittingEmptySubsequences: false).dropLast(data.last == 0 ? 1 : 0)
            .map { String(decoding: $0, as: UTF8.self) }
    }
}
