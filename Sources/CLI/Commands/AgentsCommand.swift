import ArgumentParser

/// `n0core agents`: every agent with its liveness and what is claimed of its capacity.
struct AgentsCommand: CLICommand {
    static let configuration = CommandConfiguration(commandName: "agents",
                                                    abstract: "List the agents: host, liveness, heartbeat, claimed/capacity.")

    @OptionGroup var global: GlobalOptions

    func execute(in environment: CommandEnvironment) async throws -> ExitStatus {
        let context = try global.context(environment)
        var agents: [AgentPage.Agent] = []
        var items: [JSONValue] = []
        var cursor: String?
        repeat {
            var query = [("limit", "500")]
            if let cursor { query.append(("cursor", cursor)) }
            let response = try await context.client.send(.GET, "/api/agents", query: query)
            let page = try response.decode(AgentPage.self)
            agents += page.agents
            items += try response.json()["agents"]?.arrayValue ?? []
            cursor = page.next
        } while cursor != nil

        if context.output != .table {
            try context.printStructured(.object(["agents": .array(items)]))
            return .success
        }
        context.print(Self.render(agents))
        return .success
    }

    static func render(_ agents: [AgentPage.Agent]) -> String {
        var table = Table(["ID", "KIND", "HOST", "LIVENESS", "LAST HEARTBEAT", "VCPUS", "MEMORY", "DISK"])
        for agent in agents {
            let capacity = agent.capacity
            table.append([
                agent.id,
                agent.type.hasPrefix("agent/") ? String(agent.type.dropFirst("agent/".count)) : agent.type,
                agent.hostID ?? "-",
                agent.liveness ?? "-",
                agent.lastHeartbeat ?? "-",
                "\(agent.claimed.vcpus)/\(capacity?.vcpus.map(String.init) ?? "-")",
                claimed(agent.claimed.memoryBytes, of: capacity?.memory),
                claimed(agent.claimed.diskBytes, of: capacity?.disk),
            ])
        }
        return table.render()
    }

    /// `4G/7.5G`: claimed bytes over the capacity the agent reports (`-` when it reports none).
    static func claimed(_ bytes: Int64, of capacity: String?) -> String {
        let total = capacity.map { ByteSize.bytes(of: $0).map(ByteSize.format) ?? $0 } ?? "-"
        return "\(ByteSize.format(bytes))/\(total)"
    }
}
