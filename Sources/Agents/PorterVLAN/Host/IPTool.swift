import AgentRuntime

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
