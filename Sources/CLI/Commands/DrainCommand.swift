import ArgumentParser

/// `n0core drain HOST [--reason R]` and `n0core drain HOST --undo`: a draining host gets no new
/// placements, and its specs are moved elsewhere where they can move.
struct DrainCommand: CLICommand {
    static let configuration = CommandConfiguration(
        commandName: "drain",
        abstract: "Drain a host (no new placements on it), or end its drain with --undo.",
        discussion: """
            Every spec with objects on the host is moved elsewhere: its VMs are placed on another host, their file \
            volumes copied there. A spec that cannot move (pinned to the host, or its volumer exports no volumes) \
            stays, with a PINNED event saying why; `n0core events SPEC` shows each move. Draining again tries again.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The host's id (a UUID, as `n0core hosts` lists it).")
    var host: String

    @Option(help: "Why, for other operators (shown by `n0core hosts`).")
    var reason: String?

    @Flag(help: "End the drain: the host takes new work again.")
    var undo = false

    func validate() throws {
        if undo, reason != nil { throw ValidationError("--reason goes with a drain, not with --undo") }
    }

    func execute(in environment: CommandEnvironment) async throws -> ExitStatus {
        let context = try global.context(environment)
        let path = "/api/hosts/\(host)/drain"
        let response = undo
            ? try await context.client.send(.DELETE, path)
            : try await context.client.send(.PUT, path, query: reason.map { [("reason", $0)] } ?? [])
        if context.output != .table {
            try context.printStructured(try response.json())
            return .success
        }
        let detail = try response.decode(HostDetail.self)
        context.print("host \(detail.host.hostID): " + (detail.host.drain == nil ? "takes new work" : HostsCommand.drain(detail.host.drain)))
        let pinned = detail.objects.filter(\.pinned)
        if !pinned.isEmpty {
            context.print("still here (moving, or pinned: see each spec's events):")
            var table = Table(["SPEC", "NAME", "TYPE", "ID"])
            for object in pinned {
                table.append([object.specID.map(String.init) ?? "-", object.name.isEmpty ? "-" : object.name, object.type, object.id])
            }
            context.print(table.render())
        }
        return .success
    }
}
