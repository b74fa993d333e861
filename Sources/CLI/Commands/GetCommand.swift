import ArgumentParser

/// `n0core get ID`: a spec's state and each object's progress.
struct GetCommand: CLICommand {
    static let configuration = CommandConfiguration(commandName: "get", abstract: "Show a spec's state and its objects' progress.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The spec's id.")
    var id: Int64

    func execute(in environment: CommandEnvironment) async throws -> ExitStatus {
        let context = try global.context(environment)
        let response = try await context.client.send(.GET, "/api/spec/\(id)")
        if context.output != .table {
            try context.printStructured(try response.json())
            return .success
        }
        context.print(Self.render(try response.decode(SpecStatusView.self)))
        return .success
    }

    static func render(_ status: SpecStatusView) -> String {
        var text = "spec \(status.id) version \(status.version): \(status.state)\n"
        if let reason = status.reason { text += "reason: \(reason)\n" }
        var table = Table(["NAME", "TYPE", "PROGRESS", "AGENT", "MESSAGE"])
        for object in status.objects {
            table.append([object.label, object.type, object.progress, object.agent ?? "-", object.message ?? ""])
        }
        return text + "\n" + table.render()
    }
}
