import AgentRuntime
import Foundation
import Logging
import Messages
import TestSupport
import Testing

@testable import PorterVLAN

/// What the porter's host tests share: the seed's objects, a porter namespace with a state
/// directory, and independent looks at the host (interfaces through `ip -j`, dnsmasq through
/// `/proc`) that do not go through the code under test.
enum PorterTestEnvironment {
    static let networkID = ObjectID("8451da31-5e3a-4c46-aa3a-2a557382a6cd")!
    static let nicID = ObjectID("a1f6a79b-7ad0-499e-b912-44eb73ea0f81")!
    static let porterAgentID = ObjectID("a0c819fa-9dc2-4666-b7fd-d235a2551119")!
    static let bridge = "br-8451da315e3a"

    static let logger: Logger = {
        var logger = Logger(label: "n0core.porter.tests")
        logger.logLevel = ProcessInfo.processInfo.environment["N0CORE_TEST_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .critical
        return logger
    }()

    /// Tools the DHCP checks need besides `ip`.
    static let hasTools: Bool = {
        let missing = ["dnsmasq", "busybox"].filter { tool in
            !["/usr/sbin", "/usr/bin", "/sbin", "/bin"].contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(tool)") }
        }
        if !missing.isEmpty && !IntegrationEnvironment.isCI {
            print("\n* SKIPPING porter host tests: \(missing.joined(separator: " and ")) not installed "
                + "(apt-get install dnsmasq-base busybox-static)\n")
        }
        return missing.isEmpty || IntegrationEnvironment.isCI
    }()

    static var canRun: Bool { NetworkNamespace.isSupported && hasTools }

    // MARK: The seed's objects

    /// Seed 5.1's network request, for a spec of its own.
    static func networkRequest(state: String = "applied") throws -> RequestMessage {
        var request = try MessageCodec.decode(RequestMessage.self, from: SeedDocuments.requestNetwork, format: .yaml)
        request.specID = Int64.random(in: 1...1_000_000_000)
        request.object.desiredState = state
        return request
    }

    /// Seed 5.1's NIC request with a real MAC (the scheduler replaces the seed's placeholder).
    static func nicRequest(mac: String, addresses: [String]? = ["192.168.0.1"], status: String = "attached",
                           id: ObjectID = nicID) throws -> RequestMessage {
        var request = try MessageCodec.decode(RequestMessage.self, from: SeedDocuments.requestNIC, format: .yaml)
        request.specID = Int64.random(in: 1...1_000_000_000)
        request.object.id = id
        request.object.hwAddr = mac
        request.object.ipAddresses = addresses
        request.object.desiredState = status
        return request
    }

    static func network(state: String = "applied") throws -> Object { try networkRequest(state: state).object }

    /// The NIC as the runtime hands it to the driver: its network's `bridge` filled in from the
    /// network's Notify.
    static func nic(mac: String, addresses: [String]? = ["192.168.0.1"], status: String = "attached",
                    id: ObjectID = nicID) throws -> Object {
        try nicRequest(mac: mac, addresses: addresses, status: status, id: id).object.mapObjects { object in
            var object = object
            if object.type == .networkVLAN { object.bridge = bridge }
            return object
        }
    }

    static func randomMAC() -> String {
        "52:54:00:" + (0..<3).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined(separator: ":")
    }

    // MARK: A porter in a namespace

    /// A namespace and a state directory, both removed afterwards.
    static func withPorterHost<Result>(_ body: (PorterHost) async throws -> Result) async throws -> Result {
        let host = try PorterHost()
        defer { host.remove() }
        return try await body(host)
    }

    static func driver(_ host: PorterHost, uplink: String? = nil, vxlan: VXLANConfiguration? = nil) -> PorterVLANDriver {
        PorterVLANDriver(configuration: PorterVLANConfiguration(stateDirectory: host.stateDirectory, uplink: uplink, vxlan: vxlan),
                         runner: host.namespace.commandRunner, logger: logger)
    }

    // MARK: 802.1Q

    /// Whether this kernel makes VLAN interfaces, tried in a throwaway namespace.
    static let kernelHasVLAN: Bool = {
        guard NetworkNamespace.isSupported, let namespace = try? NetworkNamespace.create(prefix: "n0pq") else { return false }
        defer { namespace.delete() }
        guard (try? namespace.check(["ip", "link", "add", "q0", "type", "veth", "peer", "name", "q1"])) != nil else { return false }
        let result = try? namespace.run(["ip", "link", "add", "link", "q0", "name", "q0.100", "type", "vlan", "id", "100"])
        if result?.status != 0 {
            print("\n* this kernel has no 802.1Q support (`ip link add … type vlan`: "
                + "\(result?.standardError.trimmingCharacters(in: .whitespacesAndNewlines) ?? "?")); the tagged-uplink test is skipped\n")
        }
        return result?.status == 0
    }()
}

/// The porter's namespace and state directory for one test.
final class PorterHost: Sendable {
    let namespace: NetworkNamespace
    let stateDirectory: String

    init() throws {
        namespace = try NetworkNamespace.create(prefix: "n0pv")
        stateDirectory = NSTemporaryDirectory() + "n0core-porter-test-\(UUID().uuidString.lowercased())"
    }

    func remove() {
        for pid in PorterTestEnvironment.dnsmasqPIDs(under: stateDirectory) { kill(pid, SIGKILL) }
        namespace.delete()
        try? FileManager.default.removeItem(atPath: stateDirectory)
    }

    /// The interface `name` in the namespace as `ip -j -d link show` reports it, nil when absent.
    func link(_ name: String) throws -> [String: Any]? {
        let result = try namespace.run(["ip", "-j", "-d", "addr", "show", "dev", name])
        guard result.status == 0 else { return nil }
        let entries = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [[String: Any]]
        return entries?.first
    }

    func isUp(_ name: String) throws -> Bool {
        ((try link(name)?["flags"] as? [String]) ?? []).contains("UP")
    }

    func kind(_ name: String) throws -> String? {
        (try link(name)?["linkinfo"] as? [String: Any])?["info_kind"] as? String
    }

    func addresses(_ name: String) throws -> [String] {
        ((try link(name)?["addr_info"] as? [[String: Any]]) ?? []).compactMap { info in
            guard info["family"] as? String == "inet", let local = info["local"] as? String, let length = info["prefixlen"] as? Int
            else { return nil }
            return "\(local)/\(length)"
        }
    }

    /// The names of every bridge in the namespace.
    func bridges() throws -> [String] {
        let output = try namespace.check(["ip", "-j", "link", "show", "type", "bridge"])
        let entries = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [[String: Any]] ?? []
        return entries.compactMap { $0["ifname"] as? String }.sorted()
    }

    /// The live dnsmasq processes whose files are in this state directory.
    var dnsmasqPIDs: [Int32] { PorterTestEnvironment.dnsmasqPIDs(under: stateDirectory) }

    var hostsFile: String {
        "\(stateDirectory)/networks/\(PorterTestEnvironment.networkID)/dnsmasq.hosts"
    }

    func hostsFileContents() -> String? {
        try? String(contentsOfFile: hostsFile, encoding: .utf8)
    }
}

extension PorterTestEnvironment {
    /// Live (not zombie) dnsmasq processes mentioning `directory` on their command line, read
    /// straight from `/proc`.
    static func dnsmasqPIDs(under directory: String) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"), !data.isEmpty else { return false }
            let words = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            return words.first.map { ($0 as NSString).lastPathComponent == "dnsmasq" } == true
                && words.contains { $0.contains(directory) }
        }.sorted()
    }
}

/// A DHCP client in a namespace of its own, joined to a bridge of the porter's namespace by a
/// veth pair, with the MAC it is given: busybox `udhcpc`, whose script prints what it was offered.
final class DHCPClient: Sendable {
    let namespace: NetworkNamespace
    let interface: String
    private let script: String

    struct Lease: Sendable, Hashable {
        var address: String
        var router: String
        var dns: String
        /// The MTU option, when the server sent one.
        var mtu: Int? = nil
    }

    init(porter: PorterHost, bridge: String, mac: String) throws {
        namespace = try NetworkNamespace.create(prefix: "n0pc")
        let suffix = String(namespace.name.suffix(8))
        let porterEnd = "vp" + suffix
        interface = "vc" + suffix
        script = NSTemporaryDirectory() + "n0core-udhcpc-\(suffix).sh"
        do {
            try porter.namespace.check(["ip", "link", "add", porterEnd, "type", "veth", "peer", "name", interface,
                                        "netns", namespace.name])
            try porter.namespace.check(["ip", "link", "set", "dev", porterEnd, "master", bridge])
            try porter.namespace.check(["ip", "link", "set", "dev", porterEnd, "up"])
            try namespace.check(["ip", "link", "set", "dev", interface, "address", mac])
            try namespace.check(["ip", "link", "set", "dev", interface, "up"])
            try """
                #!/bin/sh
                [ "$1" = bound ] && echo "LEASE $ip $router $dns mtu=$mtu"
                exit 0

                """.write(toFile: script, atomically: true, encoding: .utf8)
            chmod(script, 0o755)
        } catch {
            remove()
            throw error
        }
    }

    /// Asks for a lease (five tries, then gives up); nil when none came.
    func lease() throws -> Lease? {
        let result = try namespace.run(["busybox", "udhcpc", "-i", interface, "-n", "-q", "-t", "5", "-T", "1", "-O", "mtu", "-s", script])
        guard let line = result.standardOutput.split(whereSeparator: \.isNewline).first(where: { $0.hasPrefix("LEASE ") })
        else { return nil }
        let words = line.split(separator: " ").map(String.init)
        guard words.count >= 4 else { return nil }
        let mtu = words.first { $0.hasPrefix("mtu=") }.flatMap { Int($0.dropFirst(4)) }
        return Lease(address: words[1], router: words[2], dns: words[3], mtu: mtu)
    }

    /// Puts `address` on the client's interface, as a guest does with its lease.
    func configure(_ address: String, prefixLength: Int = 24) throws {
        try namespace.check(["ip", "addr", "add", "\(address)/\(prefixLength)", "dev", interface])
    }

    /// Whether `address` answers one ping within two seconds.
    func reaches(_ address: String) throws -> Bool {
        try namespace.run(["busybox", "ping", "-c", "1", "-W", "2", address]).status == 0
    }

    func remove() {
        namespace.delete()
        try? FileManager.default.removeItem(atPath: script)
    }

    /// Runs `body` with a client, removed afterwards.
    static func with<Result>(porter: PorterHost, bridge: String = PorterTestEnvironment.bridge, mac: String,
                             _ body: (DHCPClient) async throws -> Result) async throws -> Result {
        let client = try DHCPClient(porter: porter, bridge: bridge, mac: mac)
        defer { client.remove() }
        return try await body(client)
    }
}
