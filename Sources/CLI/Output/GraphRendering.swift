/// The resource graph as text: a tree for the terminal, Graphviz DOT for pictures.
public enum GraphRendering {
    /// Each root object, then what it depends on beneath it (`├── attachments → disk …`), every
    /// object with its state and the agent (and host) it is placed on. Roots are the objects
    /// nothing in the graph depends on, or `rootID` when given (`graph --object`). An object
    /// reached twice (a network two NICs use) is shown under each; a cycle is cut and marked.
    public static func tree(_ graph: GraphView, rootID: String? = nil) -> String {
        let nodes = Dictionary(graph.nodes.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
        let dependencies = Dictionary(grouping: graph.edges.filter { !$0.isPlacement }, by: \.source)
        let placements = Dictionary(graph.edges.filter(\.isPlacement).map { ($0.source, $0.target) },
                                    uniquingKeysWith: { first, _ in first })
        let dependedOn = Set(graph.edges.filter { !$0.isPlacement }.map(\.target))
        let objects = graph.nodes.filter { !$0.isAgent }
        var roots: [String]
        if let rootID, nodes[rootID] != nil {
            roots = [rootID]
        } else {
            roots = objects.filter { !dependedOn.contains($0.id) }.map(\.id)
            if roots.isEmpty { roots = objects.map(\.id) }
        }
        roots.sort { (nodes[$0]?.displayName ?? $0, $0) < (nodes[$1]?.displayName ?? $1, $1) }

        func describe(_ id: String) -> String {
            guard let node = nodes[id] else { return id }
            var text = "\(node.displayName) (\(node.type)) \(node.state ?? "-")"
            if let agentID = placements[id] {
                let agent = nodes[agentID]
                text += " — on \(agent?.type ?? "agent") \(agentID)"
                if let host = agent?.object?["host_id"]?.stringValue { text += " host \(host)" }
            }
            return text
        }

        var lines: [String] = []
        func walk(_ id: String, prefix: String, path: Set<String>) {
            let children = (dependencies[id] ?? []).sorted { ($0.shortRelation, nodes[$0.target]?.name ?? "") < ($1.shortRelation, nodes[$1.target]?.name ?? "") }
            for (index, edge) in children.enumerated() {
                let last = index == children.count - 1
                let branch = prefix + (last ? "└── " : "├── ")
                if path.contains(edge.target) {
                    lines.append(branch + "\(edge.shortRelation) → \(nodes[edge.target]?.displayName ?? edge.target) (cycle)")
                    continue
                }
                lines.append(branch + "\(edge.shortRelation) → " + describe(edge.target))
                walk(edge.target, prefix: prefix + (last ? "    " : "│   "), path: path.union([edge.target]))
            }
        }
        for root in roots {
            lines.append(describe(root))
            walk(root, prefix: "", path: [root])
        }
        return lines.isEmpty ? "(no objects)\n" : lines.joined(separator: "\n") + "\n"
    }

    /// A `digraph`: objects as boxes and agents as ellipses, labelled with name and type and
    /// filled by state; edges labelled by relation, placements dashed.
    public static func dot(_ graph: GraphView) -> String {
        var lines = [
            "digraph n0core {",
            "  rankdir=LR;",
            "  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\"];",
            "  edge [fontname=\"Helvetica\", fontsize=10];",
        ]
        for node in graph.nodes {
            let shape = node.isAgent ? ", shape=ellipse" : ""
            lines.append("  \(quoted(node.id)) [label=\(quoted("\(node.displayName)\n\(node.type)\n\(node.state ?? "-")")), fillcolor=\(quoted(colour(node.state)))\(shape)];")
        }
        for edge in graph.edges {
            let style = edge.isPlacement ? ", style=dashed" : ""
            lines.append("  \(quoted(edge.source)) -> \(quoted(edge.target)) [label=\(quoted(edge.shortRelation))\(style)];")
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    /// States are compared in lower case: nodes carry the conductor's progress words (`APPLIED`)
    /// as observed states. Green where the object is as wanted and up, blue where it is deliberately stopped, grey
    /// where it is gone, red where it is dead, yellow for anything else (not reported yet).
    static func colour(_ state: String?) -> String {
        switch state?.lowercased() {
        case "running", "applied", "allocated", "attached", "alived": "palegreen"
        case "poweroff", "saved", "down", "detached": "lightblue"
        case "deleted", "destroyed": "lightgrey"
        case "dead", "failed": "salmon"
        default: "lightyellow"
        }
    }

    /// A DOT string literal: quotes and backslashes escaped, line breaks as `\n`.
    static func quoted(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            default: escaped.append(character)
            }
        }
        return "\"\(escaped)\""
    }
}
