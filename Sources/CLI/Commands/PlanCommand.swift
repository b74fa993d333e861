import ArgumentParser

/// `n0core plan -f FILE`: what `apply` of the same document would do, object by object, and
/// where each would be placed now; nothing is stored.
struct PlanCommand: CLICommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show what applying a document would change, and where objects would be placed; stores nothing.")

    @OptionGroup var global: GlobalOptions

    @Option(name: .shortAndLong, help: ArgumentHelp("The spec document: YAML, or JSON when named *.json.", valueName: "file"))
    var file: String

    @Option(name: .customLong("spec"), help: ArgumentHelp("Plan a replacement of this spec (PUT).", valueName: "id"))
    var specID: Int64?

    func execute(in environment: CommandEnvironment) async throws -> ExitStatus {
        let context = try global.context(environment)
        let submission = try SpecSubmission(path: file, specFlag: specID, environment: environment)
        let request = try await submission.prepare(with: context.client)
        let response: APIClient.Response
        do {
            response = try await context.client.send(request.method, request.path, query: [("dry_run", "true")], body: request.body)
        } catch let error as APIRequestError where Self.meansNoPlans(error) {
            throw CLIFailure(.usage, "this API does not support plans (\(error.method.rawValue) \(error.path)?dry_run=true answered \(error.status): \(error.message))")
        }
        // An API from before plans ignores `dry_run` and stores the document: say so plainly.
        let answer = try response.json()
        if response.status == 201 || answer["objects"] == nil {
            // Naming the spec it made helps the user remove it; an answer without an id still gets the message.
            let stored = try? response.decode(StoredVersion.self)
            throw CLIFailure(.usage, "this API does not support plans: it ignored dry_run and stored the document"
                + (stored.map { " as spec \($0.id) version \($0.version)" } ?? ""))
        }
        if context.output != .table {
            try context.printStructured(answer)
            return .success
        }
        context.print(Self.render(try response.decode(PlanView.self)))
        return .success
    }

    /// 404 or 405 on the request (the spec itself was found just before), or 400 about the
    /// unknown query parameter: an API from before plans.
    static func meansNoPlans(_ error: APIRequestError) -> Bool {
        error.status == 404 || error.status == 405 || (error.status == 400 && error.message.contains("dry_run"))
    }

    static func render(_ plan: PlanView) -> String {
        var table = Table(["ACTION", "NAME", "TYPE", "CHANGED", "PLACEMENT"])
        var counts: [String: Int] = [:]
        for object in plan.objects {
            counts[object.action, default: 0] += 1
            let changed = object.changedFields.map { $0.isEmpty ? "-" : $0.joined(separator: ", ") } ?? "-"
            let placement: String
            if let error = object.placementError {
                placement = "cannot be placed: \(error)"
            } else if let target = object.placement {
                placement = "agent \(target.agentID)" + (target.hostID.map { " on host \($0)" } ?? "")
            } else {
                placement = "-"
            }
            table.append([object.action, object.name, object.type, changed, placement])
        }
        let target = plan.specID.map { "spec \($0) version \(plan.version)" } ?? "a new spec"
        let summary = "\(counts["create"] ?? 0) to create, \(counts["change"] ?? 0) to change, "
            + "\(counts["delete"] ?? 0) to delete, \(counts["unchanged"] ?? 0) unchanged"
        return table.render() + "\nplan for \(target): \(summary)\n"
    }
}
