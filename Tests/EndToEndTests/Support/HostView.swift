import Foundation
import TestSupport

/// What the demo hypervisor's namespace and folders hold for one spec, read with the host's
/// own tools: processes from /proc, links from `ip`, images from `qemu-img`.
struct HostView {
    let cluster: Cluster
    let spec: AppliedSpec

    init(cluster: Cluster, spec: AppliedSpec) throws {
        self.cluster = cluster
        self.spec = spec
    }

    /// `br-` and the first 12 hex digits of the network id, as the porter names it.
    var bridge: String { "br-" + spec.networkID.replacingOccurrences(of: "-", with: "").prefix(12) }
    var volumePath: String { "\(cluster.volumeDirectory)/\(spec.volumeID)" }
    var consoleLogPath: String { "\(cluster.computeStateDirectory)/console/n0-\(spec.vmID).log" }

    /// Whether a QEMU process for the VM's domain runs inside the namespace.
    func domainIsRunning() -> Bool {
        processes().contains { $0.contains("qemu-system") && $0.contains("n0-\(spec.vmID)") }
    }

    func bridgeExists() -> Bool {
        (try? cluster.namespace.run(["ip", "link", "show", "dev", bridge]))?.status == 0
    }

    /// How many interfaces are enslaved to the network's bridge (the VM's tap).
    func tapsOnBridge() -> Int {
        let output = (try? cluster.namespace.run(["ip", "-o", "link", "show", "master", bridge]))?.standardOutput ?? ""
        return output.split(whereSeparator: \.isNewline).count
    }

    /// dnsmasq processes serving the network's bridge.
    func dnsmasqCount() -> Int {
        processes().filter { $0.contains("dnsmasq") && $0.contains(bridge) }.count
    }

    /// The volume's virtual size, from `qemu-img info`.
    func volumeVirtualSize() throws -> Int {
        let output = try HostCommand.check(["qemu-img", "info", "--output=json", "-U", volumePath])
        let info = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any]
        return info?["virtual-size"] as? Int ?? -1
    }

    /// Waits for a line of the guest's serial console that starts with `prefix`.
    func waitForConsoleLine(prefix: String, timeout: Duration) async throws -> String {
        try await Self.waitForLine(prefix: prefix, in: consoleLogPath, timeout: timeout)
    }

    /// Waits for a line of the serial console log at `path` that starts with `prefix`.
    static func waitForLine(prefix: String, in path: String, timeout: Duration) async throws -> String {
        try await waitForLine("starting with \"\(prefix)\"", in: path, timeout: timeout) { $0.hasPrefix(prefix) }
    }

    /// Waits for a console line that is exactly `line` (`PING_REPLY 192.168.0.2` must not be
    /// satisfied by `PING_REPLY 192.168.0.253`).
    static func waitForLine(exactly line: String, in path: String, timeout: Duration) async throws -> String {
        try await waitForLine("reading \"\(line)\"", in: path, timeout: timeout) { $0 == line }
    }

    /// The console lines of `path` so far, without their carriage returns.
    static func consoleLines(_ path: String) -> [String] {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.components(separatedBy: .newlines).map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\r")) }
    }

    private static func waitForLine(
        _ description: String, in path: String, timeout: Duration, where matches: (String) -> Bool
    ) async throws -> String {
        var found = ""
        try await waitUntil("a console line \(description) in \(path)", within: timeout, every: .milliseconds(500)) {
            guard let line = consoleLines(path).first(where: matches) else { return false }
            found = line
            return true
        }
        return found
    }

    /// The TCP port of the VM's VNC console inside the namespace, from its QEMU's `-vnc
    /// HOST:DISPLAY` (port 5900 + display); nil while no QEMU runs for it.
    func vncPort() -> Int? {
        for pid in cluster.namespace.processIDs() {
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { continue }
            let words = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            guard words.first?.contains("qemu-system") == true, words.contains(where: { $0.contains("n0-\(spec.vmID)") }),
                  let flag = words.firstIndex(of: "-vnc"), flag + 1 < words.count
            else { continue }
            let address = words[flag + 1].split(separator: ",").first ?? ""
            return address.split(separator: ":").last.flatMap { Int($0) }.map { 5900 + $0 }
        }
        return nil
    }

    /// The command lines of the processes inside the namespace.
    private func processes() -> [String] {
        cluster.namespace.processIDs().compactMap { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return nil }
            return String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
        }
    }
}
