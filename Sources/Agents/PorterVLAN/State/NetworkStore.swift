import AgentRuntime
import Foundation
import Messages

/// The porter's files in the agent's state directory, one folder per network:
/// `networks/<id>/network.json` (the network as last applied, and the DHCP server's addresses),
/// and dnsmasq's `dnsmasq.hosts`, `dnsmasq.leases`, `dnsmasq.pid`, `dnsmasq.log`.
///
/// The record is what lets a restarted porter find its networks again (a bridge's name holds
/// only 12 digits of the id) and rebuild what a reboot removed. Files are replaced atomically
/// (written beside, then renamed), so dnsmasq re-reading its hosts file never sees half of one.
struct NetworkStore: Sendable {
    /// `STATE/networks`.
    let root: String

    init(stateDirectory: String) {
        root = (stateDirectory.hasSuffix("/") ? String(stateDirectory.dropLast()) : stateDirectory) + "/networks"
    }

    func directory(of network: ObjectID) -> String {
        "\(root)/\(network)"
    }

    func dnsmasqFiles(of network: ObjectID) -> DnsmasqFiles {
        DnsmasqFiles(directory: directory(of: network))
    }

    /// The agent's state directory, which holds ``root``.
    var stateDirectory: String {
        (root as NSString).deletingLastPathComponent
    }

    /// Creates ``root`` and lets dnsmasq through the state directory to it: dnsmasq reads the
    /// hosts files as `nobody`, so the state directory (0700 under a umask of 077) gets the
    /// search bit for others, which does not let anyone list it. Returns the directories it
    /// changed.
    func prepare() throws -> [String] {
        do {
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        } catch {
            throw AgentFailure("cannot create the porter's state directory \(root): \(error.localizedDescription); "
                + "set agent.state_dir (N0CORE_AGENT_STATE_DIR) to a writable directory")
        }
        chmod(root, 0o755)
        return [stateDirectory].filter(DirectorySearch.allowSearch)
    }

    // MARK: Network records

    func record(of network: ObjectID) -> NetworkRecord? {
        guard let data = FileManager.default.contents(atPath: recordPath(network)) else { return nil }
        return try? MessageCodec.decode(NetworkRecord.self, from: data, format: .json)
    }

    /// Every network with a readable record.
    func records() -> [NetworkRecord] {
        networkIDs().compactMap(record(of:))
    }

    /// The networks that have a folder, readable record or not.
    func networkIDs() -> [ObjectID] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).sorted().compactMap(ObjectID.init)
    }

    func save(_ record: NetworkRecord) throws {
        guard let id = record.network.id else { return }
        try makeDirectory(of: id)
        try Self.replace(recordPath(id), with: MessageCodec.encode(record, format: .json))
    }

    /// dnsmasq drops to an unprivileged user and re-reads its hosts file as that user, so the
    /// network's folder and files are readable by all whatever the agent's umask (they hold
    /// MACs and addresses, no secrets).
    private func makeDirectory(of network: ObjectID) throws {
        let path = directory(of: network)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        chmod(root, 0o755)
        chmod(path, 0o755)
    }

    /// Removes the network's folder with everything in it.
    func remove(_ network: ObjectID) throws {
        if FileManager.default.fileExists(atPath: directory(of: network)) {
            try FileManager.default.removeItem(atPath: directory(of: network))
        }
    }

    // MARK: Reservations

    func reservations(of network: ObjectID) -> [Reservation] {
        guard let data = FileManager.default.contents(atPath: dnsmasqFiles(of: network).hosts) else { return [] }
        return DHCPHostsFile.parse(String(decoding: data, as: UTF8.self))
    }

    /// Writes the hosts file; returns whether its content changed.
    @discardableResult
    func write(_ reservations: [Reservation], of network: ObjectID) throws -> Bool {
        let path = dnsmasqFiles(of: network).hosts
        let text = DHCPHostsFile.render(network: network, reservations)
        if let existing = FileManager.default.contents(atPath: path), String(decoding: existing, as: UTF8.self) == text {
            return false
        }
        try makeDirectory(of: network)
        try Self.replace(path, with: Data(text.utf8))
        return true
    }

    private func recordPath(_ network: ObjectID) -> String {
        "\(directory(of: network))/network.json"
    }

    /// Writes beside `path`, then renames over it.
    private static func replace(_ path: String, with data: Data) throws {
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp")
        try data.write(to: temporary)
        chmod(temporary.path, 0o644)
        guard rename(temporary.path, path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw AgentFailure("cannot replace \(path): \(reason)")
        }
    }
}

/// A network as last applied, with the addresses its DHCP server holds on the bridge.
struct NetworkRecord: Sendable, Hashable, Codable {
    var network: Object
    var serverAddresses: [String]
    /// Whether this porter runs the network's DHCP (and keeps its NICs' reservations); false on
    /// the other hosts of a network that spans several.
    var servesDHCP: Bool

    init(network: Object, serverAddresses: [String], servesDHCP: Bool = true) {
        self.network = network
        self.serverAddresses = serverAddresses
        self.servesDHCP = servesDHCP
    }

    enum CodingKeys: String, CodingKey {
        case network
        case serverAddresses = "server_addresses"
        case servesDHCP = "serves_dhcp"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        network = try container.decode(Object.self, forKey: .network)
        serverAddresses = try container.decode([String].self, forKey: .serverAddresses)
        // Records from before networks spanned hosts: every network served its own DHCP.
        servesDHCP = try container.decodeIfPresent(Bool.self, forKey: .servesDHCP) ?? true
    }
}
