import ArgumentParser

/// `n0core list`: specs newest first, following the listing's cursors up to `--limit`.
struct ListCommand: CLICommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List specs, newest first.")

    @OptionGroup var global: GlobalOptions

    /// The states `GET /api/spec?state=` filters on.
    enum StateFilter: String, CaseIterable, ExpressibleByArgument {
        case pending, applied, failed, superseded
    }

    @Option(help: "Only specs in this state.")
    var state: StateFilter?

    @Option(help: "At most this many specs (the API's pages are followed).")
    var limit: Int = 50

    func validate() throws {
        guard limit > 0 else { throw ValidationError("--limit must be at least 1") }
    }

    func execute(in environment: CommandEnvironment) async throws -> ExitStatus {
        let context = try global.context(environment)
        var items: [JSONValue] = []
        var specs: [SpecListPage.Item] = []
        var cursor: String?
        repeat {
            var query = [("limit", String(min(limit - specs.count, 500)))]
            if let state { query.append(("state", state.rawValue)) }
            if let cursor { query.append(("cursor", cursor)) }
            let response = try await context.client.send(.GET, "/api/spec", query: query)
            let page = try response.decode(SpecListPage.self)
            specs += page.specs
            items += try response.json()["specs"]?.arrayValue ?? []
            cursor = page.next
        } while cursor != nil && specs.count < limit

        if context.output != .table {
            var body: [String: JSONValue] = ["specs": .array(items)]
            if let cursor { body["next"] = .string(cursor) }
            try context.printStructured(.object(body))
            return .success
        }
        var table = Table(["ID", "VERSION", "STATE", "OBJECTS", "CREATED"])
        for spec in specs {
            table.append([String(spec.id), String(spec.version), spec.state.rawValue,
                          Self.objectCounts(spec.objects), spec.createdAt])
        }
        context.print(table.render())
        return .success
    }

    /// `{"APPLIED": 3, "WAITING": 1}` → `3 APPLIED, 1 WAITING`.
    static func objectCounts(_ counts: [String: Int]) -> String {
        if counts.isEmpty { return "-" }
        return counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
    }
}
