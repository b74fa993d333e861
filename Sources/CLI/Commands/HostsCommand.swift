import ArgumentParser

/// `n0core hosts`: the hypervisors, their agents and objects, and which are draining.
struct HostsCommand: CLICommand {
    static let configuration = CommandConfiguration(commandName: "hosts",
                                                    abstract: "List the hosts: agents (alive/all), objects placed, drain.")

    @OptionGroup var global: GlobalOptions

    func execute(in environment: CommandEnvironment) async throws -> ExitStatus {
        let context = try global.context(environment)
        let response = try await context.client.send(.GET, "/api/hosts")
        if context.output != .table {
            try context.printStructured(try response.json())
            return .success
        }
        var table = Table(["HOST", "AGENTS", "OBJECTS", "DRAIN"])
        for host in try response.decode(HostList.self).hosts {
            table.append([host.hostID, "\(host.aliveAgents)/\(host.agents) alive", String(host.objects), Self.drain(host.drain)])
        }
        context.print(table.render())
        return .success
    }

    static func drain(_ drain: HostView.Drain?) -> String {
        guard let drain else { return "-" }
        return "draining since \(drain.since)" + (drain.reason.isEmpty ? "" : ": \(drain.reason)")
    }
}
