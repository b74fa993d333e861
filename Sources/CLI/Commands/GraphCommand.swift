import ArgumentParser

/// `n0core graph`: a spec's objects, one object's neighbourhood, or the whole graph, as a tree
/// or as Graphviz DOT.
struct GraphCommand: CLICommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Show the resource graph: a tree of objects, their dependencies and placements, or DOT.")

    @OptionGroup var global: GlobalOptions

    @Option(name: .customLong("spec"), help: ArgumentHelp("A spec's objects and their agents.", valueName: "id"))
    var specID: Int64?

    @Option(name: .customLong("object"), help: ArgumentHelp("The objects around this one.", valueName: "uuid"))
    var objectID: String?

    @Option(help: ArgumentHelp("With --object: how many edges away (0 to 16; the API's default is 1).", valueName: "d"))
    var depth: Int?

    @Flag(help: "Print Graphviz DOT (render with: dot -Tsvg).")
    var dot = false

    func validate() throws {
        if specID != nil, objectID != nil { throw ValidationError("give --spec or --object, not both") }
        if depth != nil, objectID == nil { throw ValidationError("--depth goes with --object") }
    }

    func execute(in environment: CommandEnvironment) async throws -> ExitStatus {
        let context = try global.context(environment)
        var graph = GraphView(nodes: [], edges: [])
        var nodes: [JSONValue] = []
        var edges: [JSONValue] = []
        var query: [(String, String)] = []
        if let specID { query.append(("spec_id", String(specID))) }
        if let objectID { query.append(("object_id", objectID)) }
        if let depth { query.append(("depth", String(depth))) }
        let wholeGraph = query.isEmpty
        var cursor: String?
        repeat {
            var pageQuery = query
            if wholeGraph { pageQuery.append(("limit", "500")) }
            if let cursor { pageQuery.append(("cursor", cursor)) }
            let response = try await context.client.send(.GET, "/api/graph", query: pageQuery)
            let page = try response.decode(GraphView.self)
            graph.nodes += page.nodes
            graph.edges += page.edges
            let json = try response.json()
            nodes += json["nodes"]?.arrayValue ?? []
            edges += json["edges"]?.arrayValue ?? []
            cursor = page.next
        } while cursor != nil

        if dot {
            context.print(GraphRendering.dot(graph))
        } else if context.output != .table {
            try context.printStructured(.object(["nodes": .array(nodes), "edges": .array(edges)]))
        } else {
            context.print(GraphRendering.tree(graph, rootID: objectID))
        }
        return .success
    }
}
