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
        var counts: [PlanView.Action: Int] = [:]
        for object in plan.objects {
            counts[object.action, default: 0] += 1
            table.append([object.action.rawValue, Self.label(object), object.type,
                          object.changedFields.isEmpty ? "-" : object.changedFields.joined(separator: ", "),
                          Self.placement(object)])
        }
        let target = plan.specID.map { "spec \($0) version \(plan.version)" } ?? "a new spec (version \(plan.version))"
        let summary = "\(counts[.create] ?? 0) to create, \(counts[.change] ?? 0) to change, "
            + "\(counts[.delete] ?? 0) to delete, \(counts[.unchanged] ?? 0) unchanged"
        return table.render() + "\nplan for \(target): \(summary)\n" + Self.outcome(plan) + "\n"
    }

    /// Its name; an object written without one (an inline NIC) by its id, or `-` when it is new.
    static func label(_ object: PlanView.Object) -> String {
        object.name.isEmpty ? object.id ?? "-" : object.name
    }

    /// The agents (and hosts) it would be on, or why it would wait or could not be placed; `-`
    /// for an object the version does not send.
    static func placement(_ object: PlanView.Object) -> String {
        if let error = object.placementError { return error }
        let agents = object.agents
        if agents.isEmpty { return "-" }
        return agents.map { "agent \($0.agentID) on host \($0.hostID)" }.joined(separator: ", ")
    }

    /// The top-level `placement`, in words.
    static func outcome(_ plan: PlanView) -> String {
        let reason = plan.reason.map { ": \($0)" } ?? ""
        switch plan.placement {
        case .placed: return "placement: placed (every object the version sends would go where shown)"
        case .waiting: return "placement: waiting (no room now; the version would wait)\(reason)"
        case .impossible: return "placement: impossible (the version would fail)\(reason)"
        case .nothingToPlace: return "placement: nothing to place (the version changes no object)"
        default: return "placement: \(plan.placement.rawValue)\(reason)"
        }
    }
}
