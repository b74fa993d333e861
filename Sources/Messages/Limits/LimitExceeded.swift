/// A text over one of its ``DocumentLimits``: which limit, its value, and where the text first
/// went past it (1-based line and column; none for the size of the whole text).
public struct LimitExceeded: Error, Sendable, Hashable, CustomStringConvertible {
    public var limit: DocumentLimit
    /// The limit's value (0 for anchors, which are never allowed).
    public var maximum: Int
    public var line: Int?
    public var column: Int?
    /// For anchors: the anchor or alias as written (`&l0`, `*l0`).
    public var found: String?

    public init(limit: DocumentLimit, maximum: Int, line: Int? = nil, column: Int? = nil, found: String? = nil) {
        self.limit = limit
        self.maximum = maximum
        self.line = line
        self.column = column
        self.found = found
    }

    /// What is wrong, in words (without the place): "nests deeper than 64 levels of mappings and lists".
    public var problem: String {
        switch limit {
        case .bytes: "the document is larger than \(maximum) bytes"
        case .nesting: "mappings and lists nest deeper than \(maximum) levels"
        case .nodes: "the document has more than \(maximum) values (keys, scalars, mappings and lists)"
        case .mappingKeys: "a mapping has more than \(maximum) keys"
        case .scalarBytes: "a value is longer than \(maximum) bytes"
        case .anchors: "YAML anchors and aliases are not accepted\(found.map { " (found \($0))" } ?? ""); write each value out in full"
        }
    }

    /// "line 65, column 3: mappings and lists nest deeper than 64 levels".
    public var description: String {
        guard let line else { return problem }
        return "line \(line)\(column.map { ", column \($0)" } ?? ""): \(problem)"
    }
}

extension DocumentError {
    /// The error for a text over a limit: one problem for the whole document, saying where.
    public init(exceeded: LimitExceeded) {
        self.init(path: "", message: exceeded.description)
        self.exceeded = exceeded
    }
}
