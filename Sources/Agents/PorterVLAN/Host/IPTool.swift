import AgentRuntime
import Foundation
import Messages

/// The `ip` commands the porter runs, through the agent's ``CommandRunner`` (which logs each at
/// debug with its exit status). A failure throws ``CommandFailure`` carrying `ip`'s own error.
struct IPTool: Sendable {
    let runner: any CommandRunner
    let timeout: Duration

    func links() async throws -> [Link] {
        try Link.parse(try await ip(["-j", "-d", "addr", "show"]).standardOutput)
    }

    func addBridge(_ name: String) async throws {
        try await ip(["link", "add", "name", name, "type", "bridge"])
        // No IPv6 link-local address: the bridge serves IPv4 DHCP only, and stays quiet otherwise.
        try await ip(["link", "set", "dev", name, "addrgenmode", "none"])
    }

    func addVLAN(_ name: String, on parent: String, id: Int) async throws {
        try await ip(["link", "add", "link", parent, "name", name, "type", "vlan", "id", "\(id)"])
    }

    /// A VXLAN port with learning on: unicast frames go where their MAC was last heard from;
    /// broadcast goes to the group, or to each peer of ``appendFlood(to:on:)``.
    func addVXLAN(_ name: String, vni: Int, overlay: VXLANConfiguration) async throws {
        var arguments = ["link", "add", "name", name]
        if overlay.device == nil {
            // Without a device the kernel cannot know the underlay's MTU: assume Ethernet's.
            arguments += ["mtu", "\(1500 - VXLANConfiguration.overhead)"]
        }
        arguments += ["type", "vxlan", "id", "\(vni)", "local", overlay.local.description, "dstport", "\(overlay.port)"]
        if let group = overlay.group { arguments += ["group", group.description] }
        if let device = overlay.device { arguments += ["dev", device] }
        try await ip(arguments)
        try await ip(["link", "set", "dev", name, "addrgenmode", "none"])
    }

    /// The peers a VXLAN port copies broadcast and unknown unicast to (all-zero MAC entries).
    func floodPeers(of name: String) async throws -> Set<IPv4Address> {
        let output = try await runner.check(Command("bridge", ["-j", "fdb", "show", "dev", name], timeout: timeout)).standardOutput
        let entries = (try? JSONSerialization.jsonObject(with: Data(output.utf8))) as? [[String: Any]] ?? []
        return Set(entries.compactMap { entry in
            guard entry["mac"] as? String == "00:00:00:00:00:00" else { return nil }
            return (entry["dst"] as? String).flatMap(IPv4Address.init)
        })
    }

    func appendFlood(to peer: IPv4Address, on name: String) async throws {
        try await runner.check(Command("bridge", ["fdb", "append", "00:00:00:00:00:00", "dev", name, "dst", peer.description],
                                       timeout: timeout))
    }

    func removeFlood(to peer: IPv4Address, on name: String) async throws {
        try await runner.check(Command("bridge", ["fdb", "del", "00:00:00:00:00:00", "dev", name, "dst", peer.description],
                                       timeout: timeout))
    }

    func setMaster(_ name: String, bridge: String) async throws {
        try await ip(["link", "set", "dev", name, "master", bridge])
    }

    func setUp(_ name: String, _ up: Bool) async throws {
        try await ip(["link", "set", "dev", name, up ? "up" : "down"])
    }

    func delete(_ name: String) async throws {
        try await ip(["link", "del", "dev", name])
    }

    func addAddress(_ address: InterfaceAddress, to name: String) async throws {
        try await ip(["addr", "add", address.description, "dev", name])
    }

    func removeAddress(_ address: InterfaceAddress, from name: String) async throws {
        try await ip(["addr", "del", address.description, "dev", name])
    }

    @discardableResult
    private func ip(_ arguments: [String]) async throws -> CommandResult {
        try await runner.check(Command("ip", arguments, timeout: timeout))
    }
}
