import AgentRuntime
import Foundation

/// A network namespace a test creates for itself (`ip netns add`), so bridges, veth pairs,
/// dnsmasq and guests never touch the root namespace's interfaces (design §6). Deleting it kills
/// what still runs inside and removes every interface it holds.
///
/// Needs root and iproute2; ``isSupported`` says whether this machine can, so a suite can be
/// skipped loudly outside CI (and fail under `CI=true`).
public final class NetworkNamespace: Sendable {
    /// `n0t-` and eight hex digits: short, since interface and socket names are limited.
    public let name: String

    private init(name: String) {
        self.name = name
    }

    /// Whether this process can create namespaces (root, `ip` installed); prints why not.
    public static let isSupported: Bool = {
        if getuid() == 0, let result = try? HostCommand.run(["ip", "netns", "list"]), result.status == 0 {
            return true
        }
        if IntegrationEnvironment.isCI { return true }
        print("""

            ************************************************************************************
            * SKIPPING host tests: network namespaces need root and iproute2 (`ip netns`).
            * (With CI=true these tests fail instead of being skipped.)
            ************************************************************************************

            """)
        return false
    }()

    /// Creates a namespace with its loopback up.
    public static func create(prefix: String = "n0t") throws -> NetworkNamespace {
        let name = "\(prefix)-" + UUID().uuidString.prefix(8).lowercased()
        try HostCommand.check(["ip", "netns", "add", name])
        let namespace = NetworkNamespace(name: name)
        do {
            try namespace.check(["ip", "link", "set", "lo", "up"])
        } catch {
            namespace.delete()
            throw error
        }
        return namespace
    }

    /// Runs `arguments` inside the namespace and waits for it.
    @discardableResult
    public func run(_ arguments: [String]) throws -> CommandResult {
        try HostCommand.run(["ip", "netns", "exec", name] + arguments)
    }

    /// Runs `arguments` inside the namespace; throws unless it exits with status 0. Returns
    /// its standard output.
    @discardableResult
    public func check(_ arguments: [String]) throws -> String {
        try HostCommand.check(["ip", "netns", "exec", name] + arguments)
    }

    /// The PIDs of the processes running inside the namespace.
    public func processIDs() -> [Int32] {
        let output = (try? HostCommand.run(["ip", "netns", "pids", name]))?.standardOutput ?? ""
        return output.split(whereSeparator: \.isNewline).compactMap { Int32($0) }
    }

    /// The underlay addresses the VXLAN port `port` copies broadcast to (its all-zero FDB
    /// entries), read with `bridge -j fdb` inside the namespace.
    public func vxlanFloodPeers(of port: String) throws -> Set<String> {
        let output = try check(["bridge", "-j", "fdb", "show", "dev", port])
        let entries = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [[String: Any]] ?? []
        return Set(entries.filter { $0["mac"] as? String == "00:00:00:00:00:00" }.compactMap { $0["dst"] as? String })
    }

    /// Kills what still runs inside (SIGKILL) and deletes the namespace with its interfaces.
    public func delete() {
        for pid in processIDs() { kill(pid, SIGKILL) }
        _ = try? HostCommand.run(["ip", "netns", "delete", name])
    }

    /// A command runner whose every command runs inside this namespace, for a driver under
    /// test: the driver itself stays unaware of namespaces, as on a real hypervisor.
    public var commandRunner: any CommandRunner {
        NamespacedCommandRunner(namespace: name, base: ProcessCommandRunner(logger: .init(label: "test.\(name)")))
    }
}

/// Prefixes every command with `ip netns exec NAMESPACE`.
struct NamespacedCommandRunner: CommandRunner {
    let namespace: String
    let base: any CommandRunner

    func run(_ command: Command) async throws -> CommandResult {
        try await base.run(Command("ip", ["netns", "exec", namespace, command.executable] + command.arguments,
                                   timeout: command.timeout))
    }
}
